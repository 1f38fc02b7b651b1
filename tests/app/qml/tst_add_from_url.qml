// The Models page's "Add from URL…" bar: Enter and the Add button hand the address over, Esc
// closes the bar (and is not passed on to the page, which would close too), an empty field adds
// nothing, and a refused address stays in the field, marked, to be corrected.
import QtQuick
import QtTest
import TernCore
import TernUi

Item {
    id: root
    width: 800
    height: 600

    // Stands in for the page's manager.addFromUrl: refuses what is not https, records the rest.
    property var added: []
    function addUrl(url) {
        if (!url.startsWith("https://")) return "Only http:// and https:// addresses can be downloaded."
        added.push(url)
        return ""
    }

    // The page closes on Esc: an Esc the bar lets through would reach this.
    property int escapesSeen: 0
    Keys.onEscapePressed: escapesSeen += 1

    Component { id: barComponent; AddFromUrlBar { width: 600; addUrl: (url) => root.addUrl(url) } }
    Component { id: signalSpy; SignalSpy {} }

    function findChild(item, objectName) {
        if (!item) return null
        if (item.objectName === objectName) return item
        for (let i = 0; i < item.children.length; ++i) {
            const found = findChild(item.children[i], objectName)
            if (found) return found
        }
        return null
    }

    TestCase {
        name: "AddFromUrlBar"
        when: windowShown

        function init() {
            root.added = []
            root.escapesSeen = 0
            root.forceActiveFocus()
        }

        function openBar() {
            const bar = createTemporaryObject(barComponent, root)
            bar.open()
            waitForRendering(bar)
            verify(bar.visible)
            verify(findChild(bar, "urlField").activeFocus)
            return bar
        }

        function test_enter_adds_and_closes() {
            const bar = openBar()
            const closed = createTemporaryObject(signalSpy, root, { target: bar, signalName: "closed" })
            keyClick(Qt.Key_Return)  // empty: nothing happens
            compare(root.added.length, 0)
            verify(bar.visible)
            verify(!findChild(bar, "addUrlButton").enabled)
            bar.text = "  https://example.org/m.gguf "
            verify(findChild(bar, "addUrlButton").enabled)
            keyClick(Qt.Key_Return)
            compare(root.added, ["https://example.org/m.gguf"])
            verify(!bar.visible)
            compare(closed.count, 1)
            compare(bar.text, "")
            bar.open()
            bar.text = "https://example.org/n.gguf"
            keyClick(Qt.Key_Enter)  // the keypad's Enter too
            compare(root.added.length, 2)
        }

        function test_add_button_adds() {
            const bar = openBar()
            bar.text = "https://example.org/m.gguf"
            mouseClick(findChild(bar, "addUrlButton"))
            compare(root.added, ["https://example.org/m.gguf"])
            verify(!bar.visible)
        }

        function test_escape_closes_the_bar_only() {
            const bar = openBar()
            bar.text = "https://example.org/m.gguf"
            keyClick(Qt.Key_Escape)
            verify(!bar.visible)
            compare(root.escapesSeen, 0)
            compare(root.added.length, 0)
            bar.open()
            mouseClick(findChild(bar, "cancelUrlButton"))
            verify(!bar.visible)
            compare(root.added.length, 0)
        }

        function test_refused_address_stays_to_be_corrected() {
            const bar = openBar()
            const field = findChild(bar, "urlField")
            bar.text = "ftp://example.org/m.gguf"
            keyClick(Qt.Key_Return)
            compare(root.added.length, 0)
            verify(bar.visible)
            compare(bar.text, "ftp://example.org/m.gguf")
            verify(bar.error.indexOf("https://") >= 0)
            compare(String(field.background.border.color), String(Theme.errorText))
            verify(field.activeFocus)
            compare(field.selectedText, "ftp://example.org/m.gguf")  // typing replaces it
            keyClick(Qt.Key_H)
            compare(bar.error, "")  // editing clears the mark
            verify(String(field.background.border.color) !== String(Theme.errorText))
        }
    }
}
