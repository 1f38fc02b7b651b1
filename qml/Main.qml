// The window: sidebar on the left; on the right the toolbar (model picker, title, actions), the
// messages, notices, the composer and the status line. Shortcuts are declared here.
// Narrow windows (compact): the sidebar starts hidden (the toolbar's ☰ brings it back) and the
// toolbar folds its actions into a menu, so every width the window allows stays usable.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TernCore

ApplicationWindow {
    id: window
    required property ChatController chat
    required property HistoryController history
    required property ModelController models
    required property ModelManagerController modelManager
    required property AppSettings settings
    required property NoticeListModel notices
    required property ConversationExporter exporter

    readonly property bool compact: width < 860
    property var sidebarWanted: undefined   // the user's choice; undefined: follow the width
    readonly property bool sidebarShown: sidebarWanted === undefined ? !compact : sidebarWanted
    onCompactChanged: sidebarWanted = undefined   // a choice made for one size does not carry to the other

    width: 1180
    height: 760
    minimumWidth: 640
    minimumHeight: 420
    visible: true
    title: chat.title.length ? qsTr("%1 — Tern").arg(chat.title) : "Tern"
    color: Theme.window

    function openConversation(id) { if (id) { chat.selectConversation(id); composer.focusInput() } }
    function send(text) { if (chat.send(text)) composer.clear() }
    function newChat() { chat.newConversation(); composer.focusInput() }
    function openSettings() { settingsDialog.openFor(chat.conversationId) }

    Shortcut { sequence: StandardKey.New; onActivated: window.newChat() }
    Shortcut { sequences: [StandardKey.Find, "Ctrl+K"]; onActivated: sidebar.focusSearch() }
    Shortcut { sequence: "Esc"; enabled: window.chat.generating; onActivated: window.chat.stop() }
    Shortcut { sequence: "Ctrl+L"; onActivated: composer.focusInput() }
    Shortcut { sequences: ["Ctrl+Tab", "Ctrl+PgDown"]; onActivated: window.openConversation(window.history.neighbour(window.chat.conversationId, 1)) }
    Shortcut { sequences: ["Ctrl+Shift+Tab", "Ctrl+PgUp"]; onActivated: window.openConversation(window.history.neighbour(window.chat.conversationId, -1)) }
    Shortcut { sequence: "Ctrl+,"; onActivated: window.openSettings() }
    Shortcut { sequence: "Ctrl+Shift+M"; onActivated: modelsPage.open() }
    Shortcut { sequence: "Ctrl+/"; onActivated: shortcutsSheet.open() }
    // Qt.quit() ends app.exec() like closing the window: TernApplication then flushes a streaming
    // reply, saves the window size and joins the worker.
    Shortcut { sequence: "Ctrl+Q"; context: Qt.ApplicationShortcut; onActivated: Qt.quit() }

    Connections {
        target: window.chat
        function onScrollToRow(row) { chatView.scrollTo(row) }
        // Another chat opened (or this one sent): show its own unsent text.
        function onDraftChanged() { if (composer.text !== window.chat.draft) composer.text = window.chat.draft }
    }

    RowLayout {
        anchors.fill: parent
        spacing: 0
        Sidebar {
            id: sidebar
            objectName: "sidebar"
            visible: window.sidebarShown
            Layout.preferredWidth: window.compact ? 220 : 270
            Layout.fillHeight: true
            history: window.history
            currentId: window.chat.conversationId
            busy: window.chat.busyConversations
            onNewChatRequested: window.newChat()
            onOpenRequested: (id) => window.openConversation(id)
            onHitRequested: (c, m) => { window.chat.revealMessage(c, m) }
        }
        Rectangle { visible: sidebar.visible; Layout.fillHeight: true; width: 1; color: Theme.border }
        ColumnLayout {
            id: chatColumn
            objectName: "chatColumn"
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.minimumWidth: 0
            spacing: 0
            ChatToolbar {
                id: toolbar
                Layout.fillWidth: true
                Layout.minimumWidth: 0
                chat: window.chat
                models: window.models
                sidebarShown: window.sidebarShown
                onSidebarToggled: window.sidebarWanted = !window.sidebarShown
                onModelsRequested: modelsPage.open()
                onExportRequested: (format) => exportDialog.openFor(window.chat.conversationId, format)
                onCopyMarkdownRequested: window.chat.copyText(window.exporter.text(window.chat.conversationId, "markdown"))
                onSettingsRequested: window.openSettings()
                onAboutRequested: aboutDialog.open()
                onShortcutsRequested: shortcutsSheet.open()
            }
            Rectangle { Layout.fillWidth: true; height: 1; color: Theme.border }
            ChatView {
                id: chatView
                objectName: "chatView"
                Layout.fillWidth: true
                Layout.fillHeight: true
                messages: window.chat.messages
                generating: window.chat.generating
                modelName: window.models.currentName
                modelSummary: window.models.currentSummary
                modelIsDefault: window.models.currentIsDefault
                modelLoading: window.models.loading
                onCopyRequested: (t) => window.chat.copyText(t)
                onRegenerateRequested: (id) => window.chat.regenerate(id)
                onEditRequested: (id, t) => window.chat.editMessage(id, t)
                onVersionRequested: (id, d) => window.chat.switchVersion(id, d)
                onModelsRequested: modelsPage.open()
            }
            NoticeArea {
                id: noticeArea
                objectName: "noticeArea"
                Layout.fillWidth: true
                Layout.leftMargin: 16
                Layout.rightMargin: 8
                Layout.bottomMargin: visible ? 4 : 0
                Layout.preferredHeight: implicitHeight
                // A quarter of the column at most: the conversation keeps the rest.
                maxHeight: Math.max(60, chatColumn.height / 4)
                notices: window.notices
            }
            Rectangle {
                objectName: "undoBar"
                visible: window.history.canUndo
                Layout.fillWidth: true
                Layout.leftMargin: 16
                Layout.rightMargin: 16
                implicitHeight: visible ? 40 : 0
                radius: 8
                color: Theme.selection
                RowLayout {
                    anchors.fill: parent
                    anchors.leftMargin: 12
                    Text { text: qsTr("Deleted “%1”").arg(window.history.undoTitle); color: Theme.text; Layout.fillWidth: true; elide: Text.ElideRight }
                    Button { text: qsTr("Undo"); Accessible.name: qsTr("Undo delete"); onClicked: window.history.undoRemove() }
                }
                Timer { running: window.history.canUndo; interval: 10000; onTriggered: window.history.forgetUndo() }
            }
            Composer {
                id: composer
                Layout.fillWidth: true
                Layout.minimumWidth: 0
                generating: window.chat.generating
                waiting: window.chat.waiting
                onSubmitted: (text) => window.send(text)
                onStopRequested: window.chat.stop()
                onEdited: (text) => window.chat.draft = text
            }
            StatusLine {
                objectName: "statusLine"
                Layout.fillWidth: true
                modelName: window.models.currentName
                loading: window.models.loading
                loaded: window.models.loaded
                loadProgress: window.models.loadProgress
                tokensPerSecond: window.chat.tokensPerSecond
                contextUsed: window.chat.contextUsed
                contextSize: window.models.contextSize
                note: window.chat.statsNote
                generating: window.chat.generating
                waiting: window.chat.waiting
            }
        }
    }

    SettingsDialog {
        id: settingsDialog
        objectName: "settingsDialog"
        chat: window.chat
        appSettings: window.settings
        anchors.centerIn: parent
    }

    ModelsPage {
        id: modelsPage
        objectName: "modelsPage"
        models: window.models
        manager: window.modelManager
        notices: window.notices
        x: window.compact ? 8 : 40
        y: window.compact ? 8 : 30
        width: window.width - 2 * x
        height: window.height - 2 * y
    }

    AboutDialog {
        id: aboutDialog
        anchors.centerIn: parent
    }

    ShortcutsSheet {
        id: shortcutsSheet
        anchors.centerIn: parent
    }

    ExportDialog {
        id: exportDialog
        objectName: "exportDialog"
        exporter: window.exporter
        anchors.centerIn: parent
    }

    Component.onCompleted: { composer.text = chat.draft; composer.focusInput() }
}
