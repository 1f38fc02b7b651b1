// An error or a piece of news, with what to do next and a close button. Compact: the detail is
// cut at three lines (the full text is in the tooltip and for screen readers), and a notice
// posted again shows "×N" instead of a second card.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TernCore

Rectangle {
    id: root
    property string noticeTitle: ""
    property string noticeDetail: ""
    property string noticeKind: "error"
    property int repeats: 1
    signal dismissed()
    readonly property bool isError: noticeKind === "error"
    visible: noticeTitle.length > 0
    implicitHeight: visible ? column.implicitHeight + 16 : 0
    radius: 8
    color: isError ? Theme.errorBackground : Theme.selection
    Accessible.role: Accessible.AlertMessage
    Accessible.name: noticeTitle + ". " + noticeDetail

    RowLayout {
        anchors.fill: parent
        anchors.margins: 8
        anchors.leftMargin: 10
        ColumnLayout {
            id: column
            Layout.fillWidth: true
            spacing: 2
            Text {
                objectName: "noticeTitle"
                text: root.repeats > 1 ? qsTr("%1 (×%2)").arg(root.noticeTitle).arg(root.repeats) : root.noticeTitle
                font.bold: true
                color: root.isError ? Theme.errorText : Theme.text
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                maximumLineCount: 2
                elide: Text.ElideRight
            }
            Text {
                id: detailText
                objectName: "noticeDetail"
                text: root.noticeDetail
                visible: text.length > 0
                color: root.isError ? Theme.errorText : Theme.text
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                maximumLineCount: 3
                elide: Text.ElideRight
                textFormat: Text.PlainText
                HoverHandler { id: hover }
                ToolTip.visible: hover.hovered && detailText.truncated
                ToolTip.text: root.noticeDetail
                ToolTip.delay: 400
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
