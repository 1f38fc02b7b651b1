// Left column: new chat, search, and the conversation list (or search hits while searching).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TernCore

Rectangle {
    id: root
    required property var history      // HistoryController
    property var currentId: 0
    property var busy: ({})            // ChatController.busyConversations
    signal newChatRequested()
    signal openRequested(var conversationId)
    signal hitRequested(var conversationId, var messageId)
    function focusSearch() { search.forceActiveFocus(); search.selectAll() }
    color: Theme.sidebar

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 8
        spacing: 8
        Button {
            objectName: "newChatButton"
            text: qsTr("+ New chat")
            Accessible.name: qsTr("New chat")
            Layout.fillWidth: true
            onClicked: root.newChatRequested()
        }
        TextField {
            id: search
            objectName: "searchField"
            Layout.fillWidth: true
            placeholderText: qsTr("Search conversations")
            placeholderTextColor: Theme.mutedText
            color: Theme.text
            Accessible.name: qsTr("Search conversations")
            text: root.history.searchQuery
            onTextEdited: root.history.searchQuery = text
            Keys.onEscapePressed: { text = ""; root.history.searchQuery = "" }
            background: Rectangle { color: Theme.surface; radius: 6; border.color: search.activeFocus ? Theme.accent : Theme.border }
        }
        ConversationList {
            objectName: "conversationList"
            visible: root.history.searchQuery.length === 0
            Layout.fillWidth: true
            Layout.fillHeight: true
            model: root.history.conversations
            currentId: root.currentId
            busy: root.busy
            onOpenRequested: (id) => root.openRequested(id)
            onRenameRequested: (id, title) => root.history.rename(id, title)
            onDeleteRequested: (id) => root.history.remove(id)
        }
        SearchResults {
            objectName: "searchResults"
            visible: root.history.searchQuery.length > 0
            Layout.fillWidth: true
            Layout.fillHeight: true
            model: root.history.searchResults
            onOpenRequested: (c, m) => root.hitRequested(c, m)
        }
        Text {
            objectName: "historyNotSavedNote"
            visible: !root.history.persistent || root.history.readOnly
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            text: root.history.readOnly ? qsTr("History is read-only in this session: new conversations are not saved.")
                                        : qsTr("History is not being saved in this session.")
            color: Theme.errorText
            font.pixelSize: 11
        }
    }
}
