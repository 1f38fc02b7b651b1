// Search hits: the conversation's title and the matching words in context. Clicking jumps to
// the message.
import QtQuick
import QtQuick.Controls
import TernCore

ListView {
    id: root
    signal openRequested(var conversationId, var messageId)
    clip: true
    Accessible.role: Accessible.List
    Accessible.name: qsTr("Search results")
    ScrollBar.vertical: ScrollBar { Accessible.name: qsTr("Scroll search results") }

    delegate: ItemDelegate {
        id: hit
        required property var conversationId
        required property var messageId
        required property string title
        required property string snippet
        width: ListView.view.width
        Accessible.name: qsTr("Search result in %1").arg(title)
        onClicked: root.openRequested(conversationId, messageId)
        background: Rectangle { color: hit.hovered ? Theme.selection : "transparent"; radius: 6 }
        contentItem: Column {
            spacing: 2
            Text { text: hit.title; color: Theme.text; font.pixelSize: 13; font.bold: true; elide: Text.ElideRight; width: parent.width }
            Text {
                text: hit.snippet
                textFormat: Text.StyledText
                color: Theme.mutedText
                font.pixelSize: 12
                wrapMode: Text.Wrap
                maximumLineCount: 3
                elide: Text.ElideRight
                width: parent.width
            }
        }
    }

    Text {
        visible: root.count === 0
        anchors.centerIn: parent
        text: qsTr("No matches")
        color: Theme.mutedText
    }
}
