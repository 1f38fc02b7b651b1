// One model of the catalog: what it is, how big, whether it fits this computer, and a button to
// download it (or where it stands when it is installed or on its way).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TernCore

Rectangle {
    id: root
    property string name: ""
    property string description: ""
    property string license: ""
    property string sizeText: ""
    property string ramText: ""
    property int fit: -1
    property string fitText: ""
    property bool installed: false
    property bool downloading: false   // running: the Downloads list has its controls
    property bool paused: false
    property bool failed: false
    property bool hashKnown: true
    signal downloadRequested()

    implicitHeight: column.implicitHeight + 24
    radius: 8
    color: Theme.surface
    border.color: Theme.border

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: 12
        spacing: 6
        RowLayout {
            Layout.fillWidth: true
            Text { text: root.name; color: Theme.text; font.bold: true; font.pixelSize: 14; Layout.fillWidth: true; elide: Text.ElideRight }
            FitBadge { fit: root.fit; text: root.fitText }
            Button {
                objectName: "downloadButton"
                text: root.installed ? qsTr("Installed")
                      : root.downloading ? qsTr("Downloading…")
                      : root.paused ? qsTr("Resume")
                      : root.failed ? qsTr("Try again")
                      : qsTr("Download")
                enabled: !root.installed && !root.downloading
                Accessible.name: root.paused ? qsTr("Resume downloading %1").arg(root.name)
                               : root.failed ? qsTr("Try downloading %1 again").arg(root.name)
                               : qsTr("Download %1").arg(root.name)
                onClicked: root.downloadRequested()
            }
        }
        Text {
            text: root.description
            color: Theme.text
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            Layout.fillWidth: true
        }
        Text {
            objectName: "facts"
            text: [qsTr("%1 download").arg(root.sizeText),
                   root.ramText.length ? qsTr("needs %1 of memory").arg(root.ramText) : "",
                   root.license.length ? qsTr("%1 license").arg(root.license) : "",
                   root.hashKnown ? "" : qsTr("checksum recorded on first download")].filter(s => s.length).join(" · ")
            color: Theme.mutedText
            font.pixelSize: 12
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
    }
}
