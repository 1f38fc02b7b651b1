// The window: sidebar on the left; on the right the toolbar (model picker, title, actions), the
// messages, notices, the composer and the status line. Shortcuts are declared here.
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import TernCore

ApplicationWindow {
    id: window
    required property ChatController chat
    required property HistoryController history
    required property ModelController models
    required property ModelManagerController modelManager
    required property AppSettings settings

    width: 1180
    height: 760
    minimumWidth: 640
    minimumHeight: 420
    visible: true
    title: chat.title.length ? chat.title + " — Tern" : "Tern"
    color: Theme.window

    function openConversation(id) { if (id) { chat.selectConversation(id); composer.focusInput() } }
    function send(text) { if (chat.send(text)) composer.clear() }

    Shortcut { sequence: StandardKey.New; onActivated: { window.chat.newConversation(); composer.focusInput() } }
    Shortcut { sequences: [StandardKey.Find, "Ctrl+K"]; onActivated: sidebar.focusSearch() }
    Shortcut { sequence: "Esc"; enabled: window.chat.generating; onActivated: window.chat.stop() }
    Shortcut { sequence: "Ctrl+L"; onActivated: composer.focusInput() }
    Shortcut { sequences: ["Ctrl+Tab", "Ctrl+PgDown"]; onActivated: window.openConversation(window.history.neighbour(window.chat.conversationId, 1)) }
    Shortcut { sequences: ["Ctrl+Shift+Tab", "Ctrl+PgUp"]; onActivated: window.openConversation(window.history.neighbour(window.chat.conversationId, -1)) }
    Shortcut { sequence: "Ctrl+,"; onActivated: settingsDialog.open() }
    Shortcut { sequence: "Ctrl+Shift+M"; onActivated: modelsPage.open() }

    Connections {
        target: window.chat
        function onScrollToRow(row) { chatView.scrollTo(row) }
    }

    RowLayout {
        anchors.fill: parent
        spacing: 0
        Sidebar {
            id: sidebar
            Layout.preferredWidth: 270
            Layout.fillHeight: true
            history: window.history
            currentId: window.chat.conversationId
            onNewChatRequested: { window.chat.newConversation(); composer.focusInput() }
            onOpenRequested: (id) => window.openConversation(id)
            onHitRequested: (c, m) => { window.chat.revealMessage(c, m) }
        }
        Rectangle { Layout.fillHeight: true; width: 1; color: Theme.border }
        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 0
            RowLayout {
                Layout.fillWidth: true
                Layout.margins: 8
                ModelPicker { models: window.models }
                Button {
                    objectName: "modelsButton"
                    text: qsTr("Models…")
                    flat: true
                    Accessible.name: qsTr("Models: download, import and manage models")
                    ToolTip.visible: hovered
                    ToolTip.delay: 600
                    ToolTip.text: qsTr("Download, import and manage models (Ctrl+Shift+M)")
                    onClicked: modelsPage.open()
                }
                Text {
                    text: window.chat.title
                    color: Theme.text
                    font.pixelSize: 15
                    font.bold: true
                    elide: Text.ElideRight
                    Layout.fillWidth: true
                    Layout.leftMargin: 12
                }
                IconButton {
                    objectName: "exportButton"
                    label: qsTr("Export conversation")
                    glyph: "⤓"
                    enabled: window.chat.conversationId !== 0
                    onClicked: exportMenu.popup()
                    Menu {
                        id: exportMenu
                        MenuItem { text: qsTr("Export as Markdown…"); onTriggered: { exportDialog.format = "markdown"; exportDialog.open() } }
                        MenuItem { text: qsTr("Export as JSON…"); onTriggered: { exportDialog.format = "json"; exportDialog.open() } }
                        MenuItem { text: qsTr("Copy as Markdown"); onTriggered: window.chat.copyText(window.chat.exportText("markdown")) }
                    }
                }
                IconButton {
                    objectName: "themeButton"
                    label: qsTr("Switch theme (now: %1)").arg([qsTr("system"), qsTr("light"), qsTr("dark")][Theme.mode])
                    glyph: Theme.dark ? "☾" : "☀"
                    onClicked: Theme.mode = (Theme.mode + 1) % 3
                }
                IconButton {
                    objectName: "settingsButton"
                    label: qsTr("Chat settings")
                    glyph: "⚙"
                    onClicked: settingsDialog.open()
                }
                IconButton {
                    objectName: "aboutButton"
                    label: qsTr("About Tern")
                    glyph: "?"
                    onClicked: aboutDialog.open()
                }
            }
            Rectangle { Layout.fillWidth: true; height: 1; color: Theme.border }
            ChatView {
                id: chatView
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
            Repeater {
                model: window.chat.notices
                delegate: NoticeCard {
                    required property var modelData
                    required property int index
                    objectName: "notice"
                    Layout.fillWidth: true
                    Layout.leftMargin: 16
                    Layout.rightMargin: 16
                    Layout.bottomMargin: 4
                    title: modelData.title
                    detail: modelData.detail
                    kind: modelData.kind
                    onDismissed: window.chat.dismissNotice(index)
                }
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
                generating: window.chat.generating
                onSubmitted: (text) => window.send(text)
                onStopRequested: window.chat.stop()
            }
            StatusLine {
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
            }
        }
    }

    SettingsDialog {
        id: settingsDialog
        chat: window.chat
        anchors.centerIn: parent
    }

    ModelsPage {
        id: modelsPage
        objectName: "modelsPage"
        models: window.models
        manager: window.modelManager
        x: 40
        y: 30
        width: window.width - 80
        height: window.height - 60
    }

    AboutDialog {
        id: aboutDialog
        anchors.centerIn: parent
    }

    FileDialog {
        id: exportDialog
        property string format: "markdown"
        fileMode: FileDialog.SaveFile
        title: qsTr("Export conversation")
        nameFilters: format === "json" ? [qsTr("JSON (*.json)")] : [qsTr("Markdown (*.md)")]
        defaultSuffix: format === "json" ? "json" : "md"
        onAccepted: window.chat.exportToFile(selectedFile, format)
    }

    Component.onCompleted: composer.focusInput()
}
