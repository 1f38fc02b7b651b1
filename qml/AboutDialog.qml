// About Tern: version (from the build, one place: CMake's project(VERSION)), what it is, and
// where the models' licences are.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TernCore

ThemedDialog {
    id: root
    objectName: "aboutDialog"
    title: qsTr("About Tern")
    standardButtons: Dialog.Close
    ColumnLayout {
        width: 380
        spacing: 8
        Text { objectName: "aboutVersion"; text: qsTr("Tern %1").arg(Qt.application.version); color: Theme.text; font.pixelSize: 18; font.bold: true }
        Text {
            text: qsTr("Chat with ternary (1.58-bit) language models on your own computer, offline. "
                       + "Conversations stay on this machine.")
            color: Theme.text
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        Text {
            text: qsTr("Models and their licences are listed on the Models page. Tern's own engine runs the "
                       + "official BitNet b1.58 GGUF files unmodified.")
            color: Theme.mutedText
            font.pixelSize: 12
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
    }
}
