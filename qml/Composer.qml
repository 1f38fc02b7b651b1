// Where the user writes. Enter sends, Shift+Enter starts a new line; while a reply streams the
// Send button becomes Stop. The text is cleared by the owner only once the message is saved.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TernCore

Rectangle {
    id: root
    property bool generating: false
    property alias text: input.text
    signal submitted(string text)
    signal stopRequested()
    function focusInput() { input.forceActiveFocus() }
    function clear() { input.clear() }

    implicitHeight: Math.min(Math.max(input.implicitHeight, 40), 200) + 20
    color: Theme.window
    border.color: Theme.border

    RowLayout {
        anchors.fill: parent
        anchors.margins: 10
        spacing: 8
        ScrollView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            TextArea {
                id: input
                objectName: "composerInput"
                placeholderText: qsTr("Message (Enter to send, Shift+Enter for a new line)")
                placeholderTextColor: Theme.mutedText
                color: Theme.text
                wrapMode: TextEdit.Wrap
                font.pixelSize: 14
                selectByMouse: true
                Accessible.name: qsTr("Message")
                background: Rectangle { color: Theme.surface; radius: 8; border.color: input.activeFocus ? Theme.accent : Theme.border }
                Keys.onPressed: (event) => {
                    if ((event.key === Qt.Key_Return || event.key === Qt.Key_Enter) && !(event.modifiers & Qt.ShiftModifier)) {
                        event.accepted = true
                        if (!root.generating && input.text.trim().length > 0) root.submitted(input.text)
                    }
                }
            }
        }
        Button {
            id: action
            objectName: root.generating ? "stopButton" : "sendButton"
            text: root.generating ? qsTr("Stop") : qsTr("Send")
            Accessible.name: root.generating ? qsTr("Stop the reply") : qsTr("Send message")
            enabled: root.generating || input.text.trim().length > 0
            Layout.alignment: Qt.AlignBottom
            onClicked: root.generating ? root.stopRequested() : root.submitted(input.text)
            palette.button: Theme.accent
            palette.buttonText: Theme.accentText
        }
    }
}
