// An installed model on the Models page: its name and size on disk, what kind it is (built-in,
// referenced in place, missing), and Use / Start with this / Remove.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TernCore

Rectangle {
    id: root
    property string name: ""
    property string sizeText: ""
    property bool isBuiltIn: false
    property bool inLibrary: false
    property bool inPlace: false
    property bool missing: false
    property bool isStartModel: false
    property bool isCurrent: false     // loaded and answering
    property bool isLoading: false     // being loaded
    property bool loadFailed: false    // its last load failed: not in use
    signal useRequested()
    signal startModelRequested()
    signal removeRequested()

    implicitHeight: row.implicitHeight + 16
    radius: 8
    color: root.isCurrent || root.isLoading ? Theme.selection : Theme.surface
    border.color: Theme.border

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.margins: 8
        anchors.leftMargin: 12
        ColumnLayout {
            Layout.fillWidth: true
            spacing: 2
            Text { text: root.name; color: Theme.text; font.bold: true; elide: Text.ElideRight; Layout.fillWidth: true }
            Text {
                objectName: "details"
                text: [root.missing ? qsTr("file missing") : root.sizeText,
                       root.isBuiltIn ? qsTr("built in") : "",
                       root.inPlace && !root.missing ? qsTr("used where it lies") : "",
                       root.isStartModel ? qsTr("opens at start") : "",
                       root.isCurrent ? qsTr("in use") : "",
                       root.isLoading ? qsTr("loading…") : "",
                       root.loadFailed ? qsTr("could not be loaded") : ""].filter(s => s.length).join(" · ")
                color: root.missing || root.loadFailed ? Theme.errorText : Theme.mutedText
                font.pixelSize: 12
            }
        }
        Button {
            objectName: "useButton"
            text: qsTr("Use")
            enabled: !root.isCurrent && !root.isLoading && !root.missing
            Accessible.name: qsTr("Chat with %1").arg(root.name)
            onClicked: root.useRequested()
        }
        Button {
            objectName: "startModelButton"
            text: qsTr("Open at start")
            // Only Tern's own models can be remembered for the next start (a file given with
            // --model is used for this run only).
            enabled: !root.isStartModel && !root.missing && (root.isBuiltIn || root.inLibrary)
            Accessible.name: qsTr("Open %1 when Tern starts").arg(root.name)
            onClicked: root.startModelRequested()
        }
        Button {
            objectName: "removeButton"
            text: root.inPlace ? qsTr("Forget") : qsTr("Delete")
            visible: root.inLibrary
            Accessible.name: root.inPlace ? qsTr("Remove %1 from the list (the file stays)").arg(root.name)
                                          : qsTr("Delete %1 and free its space").arg(root.name)
            onClicked: root.removeRequested()
        }
    }
}
