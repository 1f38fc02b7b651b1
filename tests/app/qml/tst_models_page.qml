// The Models page's parts in the states issue 16 found wrong: a download that failed and kept
// nothing, one that is paused, and a model whose load failed.
import QtQuick
import QtTest
import TernCore
import TernUi

Item {
    id: root
    width: 800
    height: 600

    Component { id: signalSpy; SignalSpy {} }
    Component { id: catalogCard; CatalogCard { width: 600; name: "Story writer"; sizeText: "3.01 MB"; fit: 0; fitText: "Fits" } }
    Component { id: downloadRow; DownloadRow { width: 600; name: "Story writer"; statusText: "Failed"; failed: true } }
    Component { id: installedRow; InstalledModelRow { width: 600; name: "cut-short"; sizeText: "223 kB"; inLibrary: true } }

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
        name: "ModelsPageStates"
        when: windowShown

        function test_catalog_card_takes_up_a_paused_or_failed_download() {
            const c = createTemporaryObject(catalogCard, root)
            const spy = createTemporaryObject(signalSpy, root, { target: c, signalName: "downloadRequested" })
            const button = findChild(c, "downloadButton")
            waitForRendering(c)
            c.downloading = true
            compare(button.text, "Downloading…")
            verify(!button.enabled)
            c.downloading = false
            c.paused = true
            compare(button.text, "Resume")
            verify(button.enabled)
            mouseClick(button)
            compare(spy.count, 1)
            c.paused = false
            c.failed = true
            compare(button.text, "Try again")
            verify(button.enabled)
            mouseClick(button)
            compare(spy.count, 2)
        }

        function test_failed_download_with_nothing_kept_offers_only_a_fresh_start() {
            const d = createTemporaryObject(downloadRow, root, { canRetry: true, message: "Checksum mismatch; the file has been deleted" })
            const resumes = createTemporaryObject(signalSpy, root, { target: d, signalName: "resumeRequested" })
            waitForRendering(d)
            verify(!findChild(d, "resumeButton").visible)
            verify(findChild(d, "retryButton").visible)
            verify(!findChild(d, "cancelButton").visible)   // nothing left to cancel
            verify(findChild(d, "dismissButton").visible)
            verify(!findChild(d, "progressText").visible)
            compare(String(findChild(d, "message").color), String(Theme.errorText))
            mouseClick(findChild(d, "retryButton"))
            compare(resumes.count, 1)
            // A failure that kept its bytes (gave up after retries) can resume.
            d.canRetry = false
            d.canResume = true
            verify(findChild(d, "resumeButton").visible)
            verify(!findChild(d, "retryButton").visible)
        }

        function test_installed_row_says_in_use_only_when_loaded() {
            const r = createTemporaryObject(installedRow, root)
            const details = findChild(r, "details")
            const use = findChild(r, "useButton")
            waitForRendering(r)
            r.isLoading = true
            verify(details.text.indexOf("loading…") >= 0)
            verify(details.text.indexOf("in use") < 0)
            verify(!use.enabled)
            r.isLoading = false
            r.loadFailed = true
            verify(details.text.indexOf("could not be loaded") >= 0)
            verify(details.text.indexOf("in use") < 0)
            compare(String(details.color), String(Theme.errorText))
            verify(use.enabled)   // it can be tried again
            r.loadFailed = false
            r.isCurrent = true
            verify(details.text.indexOf("in use") >= 0)
            verify(!use.enabled)
        }
    }
}
