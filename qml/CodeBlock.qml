// A fenced code block: monospace, on its own background, coloured for its language (when known),
// with the language and a copy button that shows a tick for a moment once the code is copied.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TernCore

Rectangle {
    id: root
    required property string code
    required property string language
    signal copyRequested(string text)
    implicitHeight: column.implicitHeight
    radius: 6
    color: Theme.codeBackground
    border.color: Theme.border

    ColumnLayout {
        id: column
        anchors.left: parent.left
        anchors.right: parent.right
        spacing: 0
        RowLayout {
            Layout.fillWidth: true
            Layout.leftMargin: 10
            Layout.rightMargin: 4
            Text {
                text: root.language.length > 0 ? root.language : qsTr("code")
                color: Theme.mutedText
                font.pixelSize: 11
                Layout.fillWidth: true
            }
            IconButton {
                id: copyButton
                objectName: "copyCodeButton"
                readonly property bool copied: copiedTimer.running
                label: copied ? qsTr("Code copied") : qsTr("Copy code")
                glyph: copied ? qsTr("✓ Copied") : qsTr("Copy")
                onClicked: { root.copyRequested(root.code); copiedTimer.restart() }
                Timer { id: copiedTimer; interval: 1500 }
            }
        }
        TextEdit {
            id: codeText
            objectName: "codeText"
            Layout.fillWidth: true
            Layout.margins: 10
            Layout.topMargin: 0
            text: root.code
            textFormat: TextEdit.PlainText
            readOnly: true
            selectByMouse: true
            wrapMode: TextEdit.WrapAtWordBoundaryOrAnywhere
            font.family: Qt.platform.os === "windows" ? "Consolas" : (Qt.platform.os === "osx" ? "Menlo" : "monospace")
            font.pixelSize: 13
            color: Theme.text
            selectionColor: Theme.selection
            Accessible.role: Accessible.StaticText
            Accessible.name: qsTr("Code: %1").arg(root.code)
        }
    }

    CodeHighlighting {
        objectName: "codeHighlighting"
        document: codeText.textDocument
        language: root.language
        keywordColor: Theme.codeKeyword
        stringColor: Theme.codeString
        commentColor: Theme.codeComment
        numberColor: Theme.codeNumber
    }
}
