// Where the user writes. Enter sends, Shift+Enter starts a new line; while this chat's reply is
// written (or waits for another chat's) the Send button becomes Stop. The text is cleared by the
// owner only once the message is saved; every change is reported so the owner can keep it as
// the chat's draft.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TernCore

Rectangle {
    id: root
    property bool generating: false   // this chat is busy: writing, or waiting in line
    property bool waiting: false      // ...waiting for another chat's reply to finish
    property alias text: input.text
    signal submitted(string text)
    signal stopRequested()
    signal edited(string text)
    function focusInput() { input.forceActiveFocus() }
    function clear() { input.clear() }

    implicitHeight: column.implicitHeight + 20
    color: Theme.window
    border.color: Theme.border

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: 10
        spacing: 4
        Text {
            objectName: "waitingNote"
            visible: root.waiting
            Layout.fillWidth: true
            text: qsTr("Waiting for another chat's reply to finish; this one starts next. Stop cancels it.")
            color: Theme.mutedText
            font.pixelSize: 12
            wrapMode: Text.Wrap
        }
        RowLayout {
            spacing: 8
            Layout.fillWidth: true
            ScrollView {
                Layout.fillWidth: true
                Layout.preferredHeight: Math.min(Math.max(input.implicitHeight, 40), 200)
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
                    onTextChanged: root.edited(text)
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
                Accessible.name: root.generating ? (root.waiting ? qsTr("Cancel the waiting reply") : qsTr("Stop the reply"))
                                                 : qsTr("Send message")
                enabled: root.generating || input.text.trim().length > 0
                Layout.alignment: Qt.AlignBottom
                onClicked: root.generating ? root.stopRequested() : root.submitted(input.text)
                palette.button: Theme.accent
                palette.buttonText: Theme.accentText
            }
        }
    }
}
