// Asked after a GGUF file is chosen for import: copy it into Tern's models folder (safe if the
// original moves; uses disk space) or use it where it lies (no copy; it must stay there).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TernCore

ThemedDialog {
    id: root
    property url file
    signal chosen(bool copy)
    title: qsTr("Import model")
    standardButtons: Dialog.Ok | Dialog.Cancel
    onAccepted: root.chosen(copyChoice.checked)

    ColumnLayout {
        width: 420
        Text {
            text: decodeURIComponent(root.file.toString().replace(/^file:\/\//, ""))
            color: Theme.text
            font.bold: true
            wrapMode: Text.WrapAnywhere
            Layout.fillWidth: true
        }
        RadioButton {
            id: copyChoice
            objectName: "copyChoice"
            checked: true
            text: qsTr("Copy it into Tern's models folder")
        }
        RadioButton {
            objectName: "referenceChoice"
            text: qsTr("Use it where it is (no copy; keep the file there)")
        }
        Text {
            text: qsTr("The file is checked before it is added: Tern must be able to run its architecture and weights.")
            color: Theme.mutedText
            font.pixelSize: 12
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
    }
}
