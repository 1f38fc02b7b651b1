// Saves the open conversation as Markdown or JSON. Starts in the Documents folder with
// "<chat title>.md" filled in and selected; Enter or Save writes it. A dialog of our own rather
// than FileDialog: Qt 6.4's non-native save dialog has no file name field at all.
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import TernCore

ThemedDialog {
    id: root
    required property var exporter      // ConversationExporter
    property var conversationId: 0
    property string format: "markdown"
    property url folder
    title: format === "json" ? qsTr("Export as JSON") : qsTr("Export as Markdown")
    focus: true
    standardButtons: Dialog.Save | Dialog.Cancel
    width: Math.min(parent ? parent.width - 32 : 480, 480)

    function openFor(id, fmt) {
        conversationId = id
        format = fmt
        folder = exporter.defaultFolder()
        nameField.text = exporter.suggestedFileName(id, fmt)
        open()
    }
    function targetFile() { return root.exporter.target(root.folder, nameField.text, root.format) }
    onOpened: {
        nameField.forceActiveFocus()
        nameField.select(0, Math.max(0, nameField.text.lastIndexOf(".")))   // the name, not the suffix
    }
    onAccepted: root.exporter.save(root.conversationId, targetFile(), root.format)

    ColumnLayout {
        anchors.fill: parent
        spacing: 6
        Label { text: qsTr("File name"); color: Theme.text }
        TextField {
            id: nameField
            objectName: "exportFileName"
            Layout.fillWidth: true
            color: Theme.text
            selectByMouse: true
            Accessible.name: qsTr("File name")
            background: Rectangle { color: Theme.window; radius: 6; border.color: nameField.activeFocus ? Theme.accent : Theme.border }
            onAccepted: if (text.trim().length > 0) root.accept()
        }
        Label { text: qsTr("Folder"); color: Theme.text; Layout.topMargin: 4 }
        RowLayout {
            Layout.fillWidth: true
            Label {
                objectName: "exportFolder"
                Layout.fillWidth: true
                text: decodeURIComponent(root.folder.toString().replace(/^file:\/\//, ""))
                color: Theme.mutedText
                elide: Text.ElideMiddle
            }
            Button {
                text: qsTr("Change…")
                Accessible.name: qsTr("Choose another folder")
                onClicked: folderDialog.open()
            }
        }
    }

    FolderDialog {
        id: folderDialog
        title: qsTr("Export to folder")
        currentFolder: root.folder
        onAccepted: root.folder = selectedFolder
    }
}
