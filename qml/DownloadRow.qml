// A download in progress (or paused, failed, done): a progress bar with bytes, rate and time
// left, the reason when it stopped, and the buttons that apply to its state.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TernCore

Rectangle {
    id: root
    property string name: ""
    property string statusText: ""
    property real fraction: 0
    property string bytesText: ""
    property string rateText: ""
    property string timeLeftText: ""
    property string message: ""
    property bool canPause: false
    property bool canResume: false
    property bool finished: false
    property bool failed: false
    property bool canRetry: false   // failed with nothing kept: only a fresh start is possible
    signal pauseRequested()
    signal resumeRequested()
    signal cancelRequested()
    signal dismissRequested()

    implicitHeight: column.implicitHeight + 20
    radius: 8
    color: Theme.surface
    border.color: Theme.border
    Accessible.role: Accessible.ProgressBar
    Accessible.name: qsTr("%1: %2, %3").arg(name).arg(statusText).arg(bytesText)

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: 10
        spacing: 4
        RowLayout {
            Layout.fillWidth: true
            Text { text: root.name; color: Theme.text; font.bold: true; Layout.fillWidth: true; elide: Text.ElideRight }
            Text { objectName: "status"; text: root.statusText; color: Theme.mutedText }
            Button { objectName: "pauseButton"; text: qsTr("Pause"); visible: root.canPause; onClicked: root.pauseRequested() }
            Button { objectName: "resumeButton"; text: qsTr("Resume"); visible: root.canResume; onClicked: root.resumeRequested() }
            Button {
                objectName: "retryButton"
                text: qsTr("Download again")
                visible: root.canRetry
                Accessible.name: qsTr("Download %1 again from the start").arg(root.name)
                onClicked: root.resumeRequested()
            }
            Button {
                objectName: "cancelButton"
                text: qsTr("Cancel")
                // Nothing is left to cancel once a failure has deleted the partial file.
                visible: !root.finished && !root.canRetry
                Accessible.name: qsTr("Cancel download and delete the partial file")
                onClicked: root.cancelRequested()
            }
            IconButton { objectName: "dismissButton"; label: qsTr("Remove from list"); glyph: "✕"; visible: root.finished || root.failed; onClicked: root.dismissRequested() }
        }
        ProgressBar {
            Layout.fillWidth: true
            value: root.fraction
            visible: !root.finished && !root.canRetry
            Accessible.name: qsTr("Download progress")
        }
        Text {
            objectName: "progressText"
            text: [root.bytesText, root.rateText, root.timeLeftText].filter(s => s.length).join(" · ")
            color: Theme.mutedText
            font.pixelSize: 12
            visible: !root.finished && !root.canRetry
        }
        Text {
            objectName: "message"
            text: root.message
            visible: text.length > 0
            color: root.canResume || root.failed ? Theme.errorText : Theme.mutedText  // paused or failed: the user must act
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            Layout.fillWidth: true
        }
    }
}
