// The keyboard shortcuts, as a sheet (Ctrl+/ or Help ▸ Keyboard shortcuts). The same list as
// README.md's key table: a shortcut added in Main.qml belongs in both.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TernCore

ThemedDialog {
    id: root
    objectName: "shortcutsSheet"
    title: qsTr("Keyboard shortcuts")
    standardButtons: Dialog.Close

    // [keys, what they do]; key names stay untranslated, as printed on the keyboard.
    readonly property var shortcuts: [
        ["Enter / Shift+Enter", qsTr("Send / new line")],
        ["Esc", qsTr("Stop the reply (what was written is kept)")],
        ["Ctrl+N", qsTr("New chat")],
        ["Ctrl+F  Ctrl+K", qsTr("Search all conversations")],
        ["Ctrl+L", qsTr("Focus the message box")],
        ["Ctrl+Tab / Ctrl+Shift+Tab", qsTr("Next / previous conversation")],
        ["Ctrl+PgDown / Ctrl+PgUp", qsTr("Next / previous conversation")],
        ["Ctrl+,", qsTr("Chat settings")],
        ["Ctrl+Shift+M", qsTr("Models: download, import, remove")],
        ["Ctrl+/", qsTr("This list of shortcuts")],
        ["Ctrl+Q", qsTr("Quit Tern")]
    ]

    ColumnLayout {
        spacing: 6
        Repeater {
            model: root.shortcuts
            delegate: RowLayout {
                required property var modelData
                spacing: 16
                Accessible.role: Accessible.StaticText
                Accessible.name: modelData[0] + ": " + modelData[1]
                Item {  // a fixed column for the keys, so the meanings line up
                    Layout.preferredWidth: 210
                    implicitHeight: keys.implicitHeight
                    Rectangle {
                        id: keys
                        implicitWidth: keysText.implicitWidth + 12
                        implicitHeight: keysText.implicitHeight + 6
                        radius: 4
                        color: Theme.codeBackground
                        border.color: Theme.border
                        Text {
                            id: keysText
                            objectName: "shortcutKeys"
                            anchors.centerIn: parent
                            text: modelData[0]
                            color: Theme.text
                            font.family: "monospace"
                            font.pixelSize: 12
                        }
                    }
                }
                Text { text: modelData[1]; color: Theme.text; font.pixelSize: 13 }
            }
        }
    }
}
