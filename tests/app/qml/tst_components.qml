// The chat components on their own: keys, signals, what they show while a reply streams.
import QtQuick
import QtTest
import TernCore
import TernUi

Item {
    id: root
    width: 800
    height: 600

    Component { id: composerComponent; Composer { width: 600 } }
    Component {
        id: bubbleComponent
        MessageBubble {
            width: 700
            index: 0
            messageId: 42
            role: "assistant"
            content: ""
            messageState: 0
            streaming: false
            versionIndex: 2
            versionCount: 3
            tokenCount: 12
            tokensPerSecond: 34.5
            modelName: "tiny"
        }
    }
    Component { id: codeBlockComponent; CodeBlock { width: 500; code: "let x = 'a' // c"; language: "js" } }
    ListModel { id: manyMessages }
    Component { id: chatViewComponent; ChatView { width: 600; height: 400; messages: manyMessages; generating: false } }
    Component { id: noticeComponent; NoticeCard { width: 500; noticeTitle: "The disk is full"; noticeDetail: "Free some space." } }
    Component { id: switcherComponent; VersionSwitcher { index: 1; count: 1 } }
    Component { id: signalSpy; SignalSpy {} }
    Component {
        id: catalogCardComponent
        CatalogCard {
            width: 600
            name: "BitNet b1.58 2B4T"
            description: "Microsoft's 2B ternary model."
            license: "MIT"
            sizeText: "1.19 GB"
            ramText: "1.97 GB"
            fit: 0
            fitText: "Fits"
        }
    }
    Component {
        id: downloadRowComponent
        DownloadRow { width: 600; name: "BitNet b1.58 2B4T"; statusText: "Downloading"; fraction: 0.25; canPause: true }
    }
    Component { id: installedRowComponent; InstalledModelRow { width: 600; name: "Story writer"; sizeText: "3.01 MB" } }

    function findChild(item, objectName) {
        if (!item) return null
        if (item.objectName === objectName) return item
        const kids = item.children
        for (let i = 0; i < kids.length; ++i) {
            const found = findChild(kids[i], objectName)
            if (found) return found
        }
        return null
    }
    function countCodeBlocks(item) {
        let n = (item && item.code !== undefined && item.language !== undefined && item.copyRequested !== undefined) ? 1 : 0
        const kids = item ? item.children : []
        for (let i = 0; i < kids.length; ++i) n += countCodeBlocks(kids[i])
        return n
    }

    TestCase {
        name: "Composer"
        when: windowShown

        function test_enter_sends_and_shift_enter_breaks_the_line() {
            const c = createTemporaryObject(composerComponent, root)
            const spy = createTemporaryObject(signalSpy, root, { target: c, signalName: "submitted" })
            const input = findChild(c, "composerInput")
            verify(input)
            input.forceActiveFocus()
            keyClick(Qt.Key_H)
            keyClick(Qt.Key_I)
            keyClick(Qt.Key_Return, Qt.ShiftModifier)
            keyClick(Qt.Key_X)
            compare(spy.count, 0)
            compare(c.text, "hi\nx")
            keyClick(Qt.Key_Return)
            compare(spy.count, 1)
            compare(spy.signalArguments[0][0], "hi\nx")
            compare(c.text, "hi\nx", "the owner clears the text once the message is saved")
        }

        function test_empty_text_is_not_sent_and_stop_replaces_send() {
            const c = createTemporaryObject(composerComponent, root)
            const sent = createTemporaryObject(signalSpy, root, { target: c, signalName: "submitted" })
            const stopped = createTemporaryObject(signalSpy, root, { target: c, signalName: "stopRequested" })
            findChild(c, "composerInput").forceActiveFocus()
            keyClick(Qt.Key_Space)
            keyClick(Qt.Key_Return)
            compare(sent.count, 0)
            c.generating = true
            const stop = findChild(c, "stopButton")
            verify(stop)
            compare(stop.text, "Stop")
            mouseClick(stop)
            compare(stopped.count, 1)
        }

        function test_waiting_in_line_is_shown() {
            const c = createTemporaryObject(composerComponent, root)
            const note = findChild(c, "waitingNote")
            compare(note.visible, false)
            c.generating = true
            c.waiting = true
            verify(note.visible)
            compare(findChild(c, "stopButton").Accessible.name, "Cancel the waiting reply")
        }

        function test_every_edit_is_reported_for_the_draft() {
            const c = createTemporaryObject(composerComponent, root)
            const edits = createTemporaryObject(signalSpy, root, { target: c, signalName: "edited" })
            findChild(c, "composerInput").forceActiveFocus()
            keyClick(Qt.Key_A)
            keyClick(Qt.Key_B)
            compare(edits.count, 2)
            compare(edits.signalArguments[1][0], "ab")
        }
    }

    TestCase {
        name: "MessageBubble"
        when: windowShown

        function test_markdown_and_code_blocks_with_copy() {
            const b = createTemporaryObject(bubbleComponent, root, { content: "# Title\n\nSome `inline` text\n\n```js\nlet x = 1\n```\n" })
            const copies = createTemporaryObject(signalSpy, root, { target: b, signalName: "copyRequested" })
            waitForRendering(b)
            compare(countCodeBlocks(b), 1)
            const copyCode = findChild(b, "copyCodeButton")
            verify(copyCode)
            mouseClick(copyCode)
            compare(copies.count, 1)
            compare(copies.signalArguments[0][0], "let x = 1")
            mouseClick(findChild(b, "copyMessageButton"))
            compare(copies.count, 2)
            verify(copies.signalArguments[1][0].indexOf("# Title") === 0)
        }

        function test_streaming_text_grows_in_place() {
            const b = createTemporaryObject(bubbleComponent, root, { streaming: true, content: "Hello" })
            const height0 = b.implicitHeight
            b.content = "Hello\n\nworld, this is a longer reply\n\n```\ncode"
            // Streaming refreshes are spaced (at least 100 ms apart): the text arrives a moment later.
            tryVerify(() => countCodeBlocks(b) === 1, 2000, "an open fence shows as code while it streams")
            waitForRendering(b)
            verify(b.implicitHeight > height0)
            compare(findChild(b, "regenerateButton").visible, false, "no actions while streaming")
        }

        function test_versions_regenerate_and_edit() {
            const b = createTemporaryObject(bubbleComponent, root, { content: "Reply" })
            const versions = createTemporaryObject(signalSpy, root, { target: b, signalName: "versionRequested" })
            const regen = createTemporaryObject(signalSpy, root, { target: b, signalName: "regenerateRequested" })
            waitForRendering(b)
            const regenerate = findChild(b, "regenerateButton")
            verify(regenerate.visible)
            mouseClick(regenerate)
            compare(regen.count, 1)
            compare(regen.signalArguments[0][0], 42)
            compare(findChild(b, "editButton").visible, false)
            b.busy = true
            compare(regenerate.enabled, false, "no new branch while a reply is being written")
        }

        function test_user_message_edit_makes_a_new_version() {
            const b = createTemporaryObject(bubbleComponent, root, { role: "user", content: "Old question" })
            const edits = createTemporaryObject(signalSpy, root, { target: b, signalName: "editRequested" })
            waitForRendering(b)
            const edit = findChild(b, "editButton")
            verify(edit.visible)
            mouseClick(edit)
            const area = findChild(b, "editArea")
            verify(area.visible)
            compare(area.text, "Old question")
            area.text = "New question"
            b.editRequested(b.messageId, area.text)
            compare(edits.count, 1)
            compare(edits.signalArguments[0][1], "New question")
        }

        function test_enter_in_the_edit_box_sends_and_escape_cancels() {
            const b = createTemporaryObject(bubbleComponent, root, { role: "user", content: "Old question" })
            const edits = createTemporaryObject(signalSpy, root, { target: b, signalName: "editRequested" })
            waitForRendering(b)
            mouseClick(findChild(b, "editButton"))
            const area = findChild(b, "editArea")
            area.forceActiveFocus()
            area.text = "New question"
            area.cursorPosition = area.text.length
            keyClick(Qt.Key_Return, Qt.ShiftModifier)
            compare(edits.count, 0, "Shift+Enter breaks the line")
            compare(area.text, "New question\n")
            keyClick(Qt.Key_Return)
            compare(edits.count, 1, "Enter sends, as in the composer")
            compare(edits.signalArguments[0][1], "New question\n")
            verify(!b.editing)
            mouseClick(findChild(b, "editButton"))
            area.forceActiveFocus()
            keyClick(Qt.Key_Escape)
            verify(!b.editing, "Esc cancels")
            compare(edits.count, 1)
        }
    }

    TestCase {
        name: "SmallParts"
        when: windowShown

        function test_version_switcher_hidden_for_a_single_version() {
            const s = createTemporaryObject(switcherComponent, root)
            compare(s.visible, false)
            s.count = 3
            compare(s.visible, true)
        }

        function test_notice_can_be_dismissed() {
            const n = createTemporaryObject(noticeComponent, root)
            const spy = createTemporaryObject(signalSpy, root, { target: n, signalName: "dismissed" })
            waitForRendering(n)
            verify(n.visible)
            mouseClick(findChild(n, "dismissNotice"))
            compare(spy.count, 1)
        }

        function test_notice_repeated_is_one_compact_card() {
            const n = createTemporaryObject(noticeComponent, root, { noticeDetail: "line\n".repeat(20) })
            waitForRendering(n)
            const oneLine = findChild(n, "noticeTitle").implicitHeight
            verify(n.height < oneLine * 6, "a long detail is cut at three lines: " + n.height)
            n.repeats = 2
            compare(findChild(n, "noticeTitle").text, "The disk is full (×2)")
        }

        function test_theme_switches_colours() {
            const mode = Theme.mode
            Theme.mode = 1
            const light = String(Theme.window)
            compare(Theme.dark, false)
            Theme.mode = 2
            verify(Theme.dark)
            verify(String(Theme.window) !== light, light + " vs " + Theme.window)
            Theme.mode = mode
        }
    }

    TestCase {
        name: "CodeBlock"
        when: windowShown

        function test_copy_shows_a_tick_for_a_moment() {
            const b = createTemporaryObject(codeBlockComponent, root)
            const copies = createTemporaryObject(signalSpy, root, { target: b, signalName: "copyRequested" })
            const copy = findChild(b, "copyCodeButton")
            compare(copy.text, "Copy")
            mouseClick(copy)
            compare(copies.count, 1)
            compare(copies.signalArguments[0][0], "let x = 'a' // c")
            compare(copy.text, "✓ Copied")
            compare(copy.Accessible.name, "Code copied")
            tryCompare(copy, "text", "Copy", 3000, "the tick goes after about 1.5 s")
        }

        function test_known_languages_are_coloured_unknown_ones_not() {
            const b = createTemporaryObject(codeBlockComponent, root)
            const h = findChild(b, "codeHighlighting") || b.data.find(o => o.objectName === "codeHighlighting")
            verify(h)
            verify(h.active, "js is coloured")
            compare(String(h.keywordColor), String(Theme.codeKeyword))
            b.language = "text"
            compare(h.active, false)
            b.language = "python"
            verify(h.active)
        }
    }

    TestCase {
        name: "ChatView"
        when: windowShown

        function fill(n) {
            manyMessages.clear()
            for (let i = 0; i < n; ++i)
                manyMessages.append({ messageId: i + 1, role: i % 2 ? "assistant" : "user",
                                      content: "Message " + i + "\n\nwith a second paragraph", messageState: 0,
                                      streaming: false, versionIndex: 1, versionCount: 1, tokenCount: 0,
                                      tokensPerSecond: 0, modelName: "tiny" })
        }

        function test_jump_to_the_end_while_scrolled_up() {
            fill(30)
            const v = createTemporaryObject(chatViewComponent, root)
            const list = findChild(v, "messageList")
            const jump = findChild(v, "jumpToEndButton")
            tryVerify(() => list.atYEnd, 2000, "opens at the end")
            waitForRendering(v)
            compare(jump.visible, false, "hidden at the end")
            for (let i = 0; i < 10; ++i) mouseWheel(list, 200, 200, 0, 120)
            tryVerify(() => !list.moving && !list.atYEnd, 3000, "scrolled up")
            tryVerify(() => jump.visible, 2000, "shown while scrolled up")
            verify(!list.follow)
            mouseClick(jump)
            tryVerify(() => list.atYEnd, 2000)
            verify(list.follow, "following again")
            compare(jump.visible, false)
            manyMessages.setProperty(29, "content", "A longer last message\n\n" + "more text\n\n".repeat(10))
            tryVerify(() => list.atYEnd, 2000, "follows the growing end again")
            manyMessages.clear()
        }
    }

    TestCase {
        name: "ModelsPageParts"
        when: windowShown

        function test_catalog_card_download_button_follows_the_state() {
            const c = createTemporaryObject(catalogCardComponent, root)
            const spy = createTemporaryObject(signalSpy, root, { target: c, signalName: "downloadRequested" })
            const button = findChild(c, "downloadButton")
            waitForRendering(c)
            compare(button.text, "Download")
            mouseClick(button)
            compare(spy.count, 1)
            verify(findChild(c, "facts").text.indexOf("1.19 GB download") === 0)
            c.downloading = true
            compare(button.enabled, false)
            c.downloading = false
            c.installed = true
            compare(button.text, "Installed")
            mouseClick(button)
            compare(spy.count, 1)  // nothing to do for an installed model
            c.hashKnown = false
            verify(findChild(c, "facts").text.indexOf("checksum recorded on first download") > 0)
        }

        function test_download_row_offers_what_its_state_allows() {
            const d = createTemporaryObject(downloadRowComponent, root)
            const pauses = createTemporaryObject(signalSpy, root, { target: d, signalName: "pauseRequested" })
            const resumes = createTemporaryObject(signalSpy, root, { target: d, signalName: "resumeRequested" })
            waitForRendering(d)
            verify(findChild(d, "pauseButton").visible)
            verify(!findChild(d, "resumeButton").visible)
            verify(!findChild(d, "dismissButton").visible)
            mouseClick(findChild(d, "pauseButton"))
            compare(pauses.count, 1)
            // Paused by a full disk: Resume, and the reason in the error colour.
            d.canPause = false
            d.canResume = true
            d.message = "The disk is full. Free 2 GB, then press Resume."
            verify(findChild(d, "resumeButton").visible)
            verify(findChild(d, "message").visible)
            compare(String(findChild(d, "message").color), String(Theme.errorText))
            mouseClick(findChild(d, "resumeButton"))
            compare(resumes.count, 1)
            d.failed = true
            verify(findChild(d, "dismissButton").visible)
        }

        function test_installed_row_remove_only_for_library_models() {
            const r = createTemporaryObject(installedRowComponent, root)
            waitForRendering(r)
            verify(!findChild(r, "removeButton").visible)  // the built-in model cannot be deleted
            compare(findChild(r, "startModelButton").enabled, false)  // a --model file, this run only
            r.inLibrary = true
            compare(findChild(r, "startModelButton").enabled, true)
            verify(findChild(r, "removeButton").visible)
            compare(findChild(r, "removeButton").text, "Delete")
            r.inPlace = true
            compare(findChild(r, "removeButton").text, "Forget")
            r.missing = true
            compare(findChild(r, "useButton").enabled, false)
            verify(findChild(r, "details").text.indexOf("file missing") === 0)
        }
    }
}
