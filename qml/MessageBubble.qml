// One message: Markdown prose and code blocks, then its actions (versions, copy, regenerate or
// edit) and statistics. The blocks live in a ListModel updated in place, so a streaming reply
// only re-renders the block that grew.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TernCore

Item {
    id: root
    required property int index
    required property var messageId
    required property string role
    required property string content
    required property int messageState
    required property bool streaming
    required property int versionIndex
    required property int versionCount
    required property int tokenCount
    required property double tokensPerSecond
    required property string modelName
    property bool busy: false   // a reply is being generated somewhere: no new branches now

    signal copyRequested(string text)
    signal regenerateRequested(var messageId)
    signal editRequested(var messageId, string text)
    signal versionRequested(var messageId, int delta)

    readonly property bool isUser: role === "user"
    property bool editing: false
    readonly property bool canSubmitEdit: !busy && editor.text.trim().length > 0

    function submitEdit() {
        if (!canSubmitEdit) return
        editRequested(messageId, editor.text)
        editing = false
    }
    implicitHeight: bubble.height + 12
    Accessible.role: Accessible.Grouping
    Accessible.name: (isUser ? qsTr("You") : qsTr("Assistant")) + ": " + content

    ListModel { id: blocks }
    // While a reply streams, every refresh parses the whole text as Markdown and lays it out
    // again on the GUI thread: work that grows with the reply and, on a machine whose cores all
    // run inference threads, slows every token. So streaming refreshes are spaced: the next one
    // comes at least 20 times the last one's cost later (and at least refreshFloorMs), which keeps
    // this near 5 % of one core however long the reply grows. Finished text shows at once.
    readonly property int refreshFloorMs: 100
    property double lastRefreshAt: 0
    property int refreshSpacingMs: refreshFloorMs
    Timer {
        id: refreshTimer
        onTriggered: root.refreshBlocks()
    }
    function contentUpdated() {
        if (!root.streaming) {
            refreshTimer.stop()
            refreshBlocks()
            return
        }
        if (refreshTimer.running) return  // the pending refresh will take this text too
        const wait = root.lastRefreshAt + root.refreshSpacingMs - Date.now()
        if (wait <= 0) {
            refreshBlocks()
        } else {
            refreshTimer.interval = wait
            refreshTimer.start()
        }
    }
    function refreshBlocks() {
        const started = Date.now()
        const fresh = Markdown.blocks(root.content, Theme.dark)
        for (let i = 0; i < fresh.length; ++i) {
            const b = fresh[i]
            if (i < blocks.count) {
                const old = blocks.get(i)
                if (old.code !== b.code || old.html !== b.html || old.text !== b.text || old.language !== b.language)
                    blocks.set(i, b)
            } else {
                blocks.append(b)
            }
        }
        if (blocks.count > fresh.length) blocks.remove(fresh.length, blocks.count - fresh.length)
        root.lastRefreshAt = Date.now()
        // The text's layout happened above, when the changed blocks reached their items.
        root.refreshSpacingMs = Math.max(root.refreshFloorMs, 20 * (root.lastRefreshAt - started))
    }
    onContentChanged: contentUpdated()
    onStreamingChanged: contentUpdated()
    Component.onCompleted: refreshBlocks()
    Connections {
        target: Theme
        function onChanged() { blocks.clear(); root.refreshBlocks() }
    }

    Rectangle {
        id: bubble
        width: root.isUser ? Math.min(root.width * 0.85, Math.max(body.implicitWidth, 200) + 28) : root.width
        x: root.isUser ? root.width - width : 0
        y: 6
        height: body.implicitHeight + 20
        radius: 10
        color: root.isUser ? Theme.userBubble : Theme.assistantBubble
        border.color: root.isUser ? "transparent" : Theme.border

        ColumnLayout {
            id: body
            x: 14
            y: 10
            width: bubble.width - 28
            spacing: 8

            Text {
                text: root.isUser ? qsTr("You") : (root.modelName.length ? root.modelName : qsTr("Assistant"))
                color: Theme.mutedText
                font.pixelSize: 12
                font.bold: true
            }

            Repeater {
                model: root.editing ? 0 : blocks
                delegate: Loader {
                    id: blockLoader
                    required property bool code
                    required property string html
                    required property string text
                    required property string language
                    Layout.fillWidth: true
                    sourceComponent: code ? codeComponent : proseComponent
                    Component {
                        id: proseComponent
                        MarkdownText { html: blockLoader.html }
                    }
                    Component {
                        id: codeComponent
                        CodeBlock {
                            code: blockLoader.text
                            language: blockLoader.language
                            onCopyRequested: (t) => root.copyRequested(t)
                        }
                    }
                }
            }

            Text {
                visible: root.streaming && root.content.length === 0
                text: qsTr("Thinking…")
                color: Theme.mutedText
                font.italic: true
            }

            ColumnLayout {
                visible: root.editing
                Layout.fillWidth: true
                TextArea {
                    id: editor
                    objectName: "editArea"
                    Layout.fillWidth: true
                    wrapMode: TextEdit.Wrap
                    color: Theme.text
                    Accessible.name: qsTr("Edit message")
                    background: Rectangle { color: Theme.surface; border.color: Theme.accent; radius: 6 }
                    // As in the composer: Enter sends, Shift+Enter breaks the line; Esc cancels.
                    Keys.onPressed: (event) => {
                        if ((event.key === Qt.Key_Return || event.key === Qt.Key_Enter) && !(event.modifiers & Qt.ShiftModifier)) {
                            event.accepted = true
                            root.submitEdit()
                        } else if (event.key === Qt.Key_Escape) {
                            event.accepted = true
                            root.editing = false
                        }
                    }
                }
                RowLayout {
                    Button {
                        text: qsTr("Send as new version")
                        Accessible.name: text
                        enabled: root.canSubmitEdit
                        onClicked: root.submitEdit()
                    }
                    Button {
                        text: qsTr("Cancel")
                        Accessible.name: qsTr("Cancel editing")
                        onClicked: root.editing = false
                    }
                }
            }

            RowLayout {
                spacing: 2
                visible: !root.editing && !root.streaming
                VersionSwitcher {
                    index: root.versionIndex
                    count: root.versionCount
                    onStep: (delta) => root.versionRequested(root.messageId, delta)
                }
                IconButton {
                    objectName: "copyMessageButton"
                    label: qsTr("Copy message")
                    glyph: qsTr("Copy")
                    onClicked: root.copyRequested(root.content)
                }
                IconButton {
                    objectName: "regenerateButton"
                    visible: !root.isUser
                    enabled: !root.busy
                    label: qsTr("Regenerate reply")
                    glyph: qsTr("↻ Regenerate")
                    onClicked: root.regenerateRequested(root.messageId)
                }
                IconButton {
                    objectName: "editButton"
                    visible: root.isUser
                    enabled: !root.busy
                    label: qsTr("Edit message")
                    glyph: qsTr("✎ Edit")
                    onClicked: { editor.text = root.content; root.editing = true; editor.forceActiveFocus() }
                }
                Text {
                    Layout.leftMargin: 6
                    color: Theme.mutedText
                    font.pixelSize: 11
                    text: {
                        let parts = []
                        if (root.messageState === 2) parts.push(qsTr("stopped"))
                        if (root.messageState === 3) parts.push(qsTr("interrupted"))
                        if (!root.isUser && root.tokenCount > 0)
                            parts.push(qsTr("%1 tokens · %2 tok/s").arg(root.tokenCount).arg(root.tokensPerSecond.toFixed(1)))
                        return parts.join(" · ")
                    }
                }
            }
        }
    }
}
