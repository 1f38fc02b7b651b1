// An error or a piece of news shown in the chat, with what to do next and a close button.
import QtQuick
import QtQuick.Layouts
import TernCore

Rectangle {
    id: root
    property string title: ""
    property string detail: ""
    property string kind: "error"
    signal dismissed()
    visible: title.length > 0
    implicitHeight: visible ? column.implicitHeight + 20 : 0
    radius: 8
    color: kind === "error" ? Theme.errorBackground : Theme.selection
    Accessible.role: Accessible.AlertMessage
    Accessible.name: title + ". " + detail

    RowLayout {
        anchors.fill: parent
        anchors.margins: 10
        ColumnLayout {
            id: column
            Layout.fillWidth: true
            Text {
                text: root.title
                font.bold: true
                color: root.kind === "error" ? Theme.errorText : Theme.text
                Layout.fillWidth: true
                wrapMode: Text.Wrap
            }
            Text {
                text: root.detail
                color: root.kind === "error" ? Theme.errorText : Theme.text
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                textFormat: Text.PlainText
            }
        }
        IconButton {
            objectName: "dismissNotice"
            Layout.alignment: Qt.AlignTop
            label: qsTr("Dismiss")
            glyph: "✕"
            onClicked: root.dismissed()
        }
    }
}
