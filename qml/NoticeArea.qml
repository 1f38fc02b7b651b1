// The notices of the open chat (and app-wide ones), newest at the bottom, just above the
// composer. Its height is capped (a share of the chat column, set by the owner) and it scrolls
// beyond that, so notices never push the conversation or the composer out of the window.
import QtQuick
import QtQuick.Controls
import TernCore

ListView {
    id: root
    required property var notices   // NoticeListModel
    property real maxHeight: 160
    implicitHeight: count > 0 ? Math.min(contentHeight, maxHeight) : 0
    visible: count > 0
    clip: true
    spacing: 4
    model: notices
    boundsBehavior: Flickable.StopAtBounds
    Accessible.role: Accessible.List
    Accessible.name: qsTr("Notices")
    ScrollBar.vertical: ScrollBar { Accessible.name: qsTr("Scroll notices") }
    // The newest is the one to read; heights are known only after layout, hence both.
    onCountChanged: Qt.callLater(positionViewAtEnd)
    onContentHeightChanged: Qt.callLater(positionViewAtEnd)

    delegate: NoticeCard {
        required property var noticeId
        required property string title
        required property string detail
        required property string kind
        required property int count
        objectName: "notice"
        width: ListView.view.width - 8
        noticeTitle: title
        noticeDetail: detail
        noticeKind: kind
        repeats: count
        onDismissed: root.notices.dismiss(noticeId)
    }
}
