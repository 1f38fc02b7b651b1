// The bar above the conversation: sidebar toggle, model picker, the chat's title and its actions.
// When there is not room for everything (a narrow window, or the sidebar open beside a small
// one), the actions fold into a ⋯ menu and the picker narrows, so the title keeps some room and
// nothing is pushed out of the window.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TernCore

Item {
    id: root
    required property var chat       // ChatController
    required property var models     // ModelController
    property bool sidebarShown: true
    signal sidebarToggled()
    signal modelsRequested()
    signal exportRequested(string format)
    signal copyMarkdownRequested()
    signal settingsRequested()
    signal aboutRequested()
    signal shortcutsRequested()

    // Below this width the five actions become one menu button.
    readonly property bool folded: width < 600
    implicitHeight: row.implicitHeight + 16

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.margins: 8
        spacing: 4
        IconButton {
            objectName: "sidebarButton"
            label: root.sidebarShown ? qsTr("Hide the conversation list") : qsTr("Show the conversation list")
            glyph: "☰"
            onClicked: root.sidebarToggled()
        }
        ModelPicker {
            models: root.models
            // Narrows before the actions fold, so a mid-size window keeps its buttons.
            pickerWidth: root.folded ? Math.max(140, Math.min(220, root.width * 0.4)) : Math.max(160, Math.min(260, root.width - 420))
        }
        Button {
            objectName: "modelsButton"
            visible: !root.folded
            text: qsTr("Models…")
            flat: true
            palette.windowText: Theme.text   // a flat Basic button draws in windowText, dark by default
            Accessible.name: qsTr("Models: download, import and manage models")
            ToolTip.visible: hovered
            ToolTip.delay: 600
            ToolTip.text: qsTr("Download, import and manage models (Ctrl+Shift+M)")
            onClicked: root.modelsRequested()
        }
        Text {
            objectName: "chatTitle"
            text: root.chat.title
            color: Theme.text
            font.pixelSize: 15
            font.bold: true
            elide: Text.ElideRight
            Layout.fillWidth: true
            Layout.minimumWidth: 0
            Layout.leftMargin: 8
        }
        IconButton {
            objectName: "exportButton"
            visible: !root.folded
            label: qsTr("Export conversation")
            glyph: "⤓"
            enabled: root.chat.conversationId !== 0
            onClicked: exportMenu.popup()
            Menu {
                id: exportMenu
                MenuItem { text: qsTr("Export as Markdown…"); onTriggered: root.exportRequested("markdown") }
                MenuItem { text: qsTr("Export as JSON…"); onTriggered: root.exportRequested("json") }
                MenuItem { text: qsTr("Copy as Markdown"); onTriggered: root.copyMarkdownRequested() }
            }
        }
        IconButton {
            objectName: "themeButton"
            visible: !root.folded
            label: qsTr("Switch theme (now: %1)").arg([qsTr("system"), qsTr("light"), qsTr("dark")][Theme.mode])
            glyph: Theme.dark ? "☾" : "☀"
            onClicked: Theme.mode = (Theme.mode + 1) % 3
        }
        IconButton {
            objectName: "settingsButton"
            visible: !root.folded
            label: qsTr("Chat settings")
            glyph: "⚙"
            onClicked: root.settingsRequested()
        }
        IconButton {
            objectName: "helpButton"
            visible: !root.folded
            label: qsTr("Help: keyboard shortcuts, about Tern")
            glyph: "?"
            onClicked: helpMenu.popup()
            Menu {
                id: helpMenu
                MenuItem { objectName: "shortcutsMenuItem"; text: qsTr("Keyboard shortcuts (Ctrl+/)"); onTriggered: root.shortcutsRequested() }
                MenuItem { text: qsTr("About Tern"); onTriggered: root.aboutRequested() }
            }
        }
        IconButton {
            objectName: "moreButton"
            visible: root.folded
            label: qsTr("More actions")
            glyph: "⋯"
            onClicked: moreMenu.popup()
            Menu {
                id: moreMenu
                objectName: "moreMenu"
                MenuItem { text: qsTr("Models…"); onTriggered: root.modelsRequested() }
                MenuItem { text: qsTr("Export as Markdown…"); enabled: root.chat.conversationId !== 0; onTriggered: root.exportRequested("markdown") }
                MenuItem { text: qsTr("Export as JSON…"); enabled: root.chat.conversationId !== 0; onTriggered: root.exportRequested("json") }
                MenuItem { text: qsTr("Chat settings…"); onTriggered: root.settingsRequested() }
                MenuItem {
                    text: Theme.dark ? qsTr("Light theme") : qsTr("Dark theme")
                    onTriggered: Theme.mode = Theme.dark ? 1 : 2
                }
                MenuItem { text: qsTr("Keyboard shortcuts (Ctrl+/)"); onTriggered: root.shortcutsRequested() }
                MenuItem { text: qsTr("About Tern"); onTriggered: root.aboutRequested() }
            }
        }
    }
}
