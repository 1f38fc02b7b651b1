// The Models page: models installed on this computer, downloads under way, the catalog of
// models Tern can download, importing a GGUF file from disk and downloading one from its
// address. Opened from the toolbar or with Ctrl+Shift+M; it floats over the chat, which keeps
// running underneath.
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import TernCore

Popup {
    id: root
    required property var models         // ModelController
    required property var manager        // ModelManagerController
    // The window's notices (NoticeListModel). The page covers the window's notice area, so it
    // shows them too: an import, download or load error appears where the user is.
    property var notices: null
    modal: true
    focus: true
    padding: 0
    closePolicy: Popup.CloseOnEscape | Popup.CloseOnPressOutside
    background: Rectangle { color: Theme.window; border.color: Theme.border; radius: 10 }
    // The theme's colours for every control on the page. Qt 6.4 does not pass a popup's palette
    // on to its children when it changes (switched to dark, the page's buttons stayed light grey),
    // so they come from a plain control inside it, which does.
    contentItem: Control {
        padding: 0
        palette.window: Theme.window
        palette.base: Theme.surface
        palette.button: Theme.control
        palette.mid: Theme.border
        palette.highlight: Theme.accent
        // Text by state: setting it for all states at once would draw disabled buttons like the rest.
        palette.active.windowText: Theme.text
        palette.active.text: Theme.text
        palette.active.buttonText: Theme.text
        palette.inactive.windowText: Theme.text
        palette.inactive.text: Theme.text
        palette.inactive.buttonText: Theme.text
        palette.disabled.windowText: Theme.mutedText
        palette.disabled.text: Theme.mutedText
        palette.disabled.buttonText: Theme.mutedText
        contentItem: ColumnLayout {
            id: page
            spacing: 0
            RowLayout {
                Layout.fillWidth: true
                Layout.margins: 12
                Text { text: qsTr("Models"); color: Theme.text; font.pixelSize: 18; font.bold: true }
                Text {
                    text: root.manager.memoryText
                    color: Theme.mutedText
                    Layout.fillWidth: true
                    Layout.leftMargin: 12
                    elide: Text.ElideRight
                }
                Button {
                    objectName: "importButton"
                    text: qsTr("Import GGUF…")
                    enabled: !root.manager.importing
                    onClicked: fileDialog.open()
                }
                Button {
                    objectName: "addFromUrlButton"
                    text: qsTr("Add from URL…")
                    Accessible.name: qsTr("Download a model from its address")
                    onClicked: addFromUrl.open()
                }
                Button { text: qsTr("Open folder"); Accessible.name: qsTr("Open the models folder"); onClicked: root.manager.openModelsFolder() }
                IconButton { objectName: "closeModels"; label: qsTr("Close"); glyph: "✕"; onClicked: root.close() }
            }
            Rectangle { Layout.fillWidth: true; height: 1; color: Theme.border }

            // Above the notices, which say what is wrong with a refused address.
            AddFromUrlBar {
                id: addFromUrl
                objectName: "addFromUrl"
                addUrl: (url) => root.manager.addFromUrl(url)
                Layout.fillWidth: true
                Layout.leftMargin: 12
                Layout.rightMargin: 12
                Layout.topMargin: visible ? 8 : 0
                Layout.preferredHeight: visible ? implicitHeight : 0
            }

            NoticeArea {
                objectName: "modelsNotices"
                visible: root.notices !== null && count > 0
                notices: root.notices
                Layout.fillWidth: true
                Layout.leftMargin: 12
                Layout.rightMargin: 8
                Layout.topMargin: visible ? 8 : 0
                Layout.preferredHeight: visible ? implicitHeight : 0
                maxHeight: Math.max(60, root.height / 3)
            }

            ScrollView {
                id: scroll
                Layout.fillWidth: true
                Layout.fillHeight: true
                contentWidth: availableWidth
                ColumnLayout {
                    width: scroll.availableWidth - 24
                    x: 12
                    spacing: 8

                    RowLayout {
                        objectName: "importProgress"
                        visible: root.manager.importing
                        Layout.fillWidth: true
                        Layout.topMargin: 8
                        Text { text: qsTr("Importing…"); color: Theme.text }
                        ProgressBar { value: root.manager.importProgress; Layout.fillWidth: true; Accessible.name: qsTr("Import progress") }
                        Button { text: qsTr("Cancel"); Accessible.name: qsTr("Cancel import"); onClicked: root.manager.cancelImport() }
                    }

                    SectionTitle { text: qsTr("On this computer") }
                    Repeater {
                        objectName: "installedList"
                        model: root.models.models
                        delegate: InstalledModelRow {
                            required property int index
                            required property var model
                            Layout.fillWidth: true
                            name: model.name
                            sizeText: model.sizeText
                            isBuiltIn: model.isDefault
                            inLibrary: model.inLibrary
                            inPlace: model.inPlace
                            missing: model.missing
                            isStartModel: model.isStartModel
                            isCurrent: index === root.models.currentIndex && root.models.loaded
                            isLoading: index === root.models.currentIndex && root.models.loading
                            loadFailed: index === root.models.failedIndex
                            onUseRequested: root.models.loadAt(index)
                            onStartModelRequested: root.models.setStartModel(model.isDefault ? "" : model.path)
                            onRemoveRequested: {
                                removeDialog.path = model.path
                                removeDialog.name = model.name
                                removeDialog.inPlace = model.inPlace
                                removeDialog.open()
                            }
                        }
                    }

                    SectionTitle { text: qsTr("Downloads"); visible: root.manager.downloads.count > 0 }
                    Repeater {
                        objectName: "downloadList"
                        model: root.manager.downloads
                        delegate: DownloadRow {
                            required property int index
                            required property var model
                            Layout.fillWidth: true
                            name: model.name
                            statusText: model.statusText
                            fraction: model.fraction
                            bytesText: model.bytesText
                            rateText: model.rateText
                            timeLeftText: model.timeLeftText
                            message: model.message
                            canPause: model.canPause
                            canResume: model.canResume
                            finished: model.finished
                            failed: model.failed
                            canRetry: model.canRetry
                            onPauseRequested: root.manager.pause(index)
                            onResumeRequested: root.manager.resume(index)
                            onCancelRequested: root.manager.cancel(index)
                            onDismissRequested: root.manager.dismiss(index)
                        }
                    }

                    SectionTitle { text: qsTr("Download a model") }
                    Text {
                        objectName: "catalogProblem"
                        text: root.manager.catalogProblem
                        visible: text.length > 0
                        color: Theme.errorText
                        wrapMode: Text.Wrap
                        Layout.fillWidth: true
                    }
                    Repeater {
                        objectName: "catalogList"
                        model: root.manager.catalog
                        delegate: CatalogCard {
                            required property var model
                            Layout.fillWidth: true
                            name: model.name
                            description: model.description
                            license: model.license
                            sizeText: model.sizeText
                            ramText: model.ramText
                            fit: model.fit
                            fitText: model.fitText
                            installed: model.installed
                            downloading: model.downloading
                            paused: model.downloadPaused
                            failed: model.downloadFailed
                            hashKnown: model.hashKnown
                            onDownloadRequested: root.manager.download(model.catalogId)
                        }
                    }
                    Text {
                        text: qsTr("Models are kept in %1").arg(root.manager.modelsFolder)
                        color: Theme.mutedText
                        font.pixelSize: 12
                        wrapMode: Text.WrapAnywhere
                        Layout.fillWidth: true
                        Layout.bottomMargin: 12
                    }
                }
            }
        }
    }

    component SectionTitle: Text {
        color: Theme.text
        font.pixelSize: 15
        font.bold: true
        Layout.topMargin: 10
    }

    FileDialog {
        id: fileDialog
        title: qsTr("Import a GGUF model")
        nameFilters: [qsTr("GGUF models (*.gguf)"), qsTr("All files (*)")]
        onAccepted: { importDialog.file = selectedFile; importDialog.open() }
    }
    ImportChoiceDialog {
        id: importDialog
        anchors.centerIn: parent
        onChosen: (copy) => root.manager.importModel(file, copy)
    }
    Dialog {
        id: removeDialog
        property string path: ""
        property string name: ""
        property bool inPlace: false
        objectName: "removeDialog"
        anchors.centerIn: parent
        modal: true
        title: inPlace ? qsTr("Forget %1?").arg(name) : qsTr("Delete %1?").arg(name)
        standardButtons: Dialog.Ok | Dialog.Cancel
        background: Rectangle { color: Theme.surface; border.color: Theme.border; radius: 8 }
        Text {
            width: 380
            wrapMode: Text.Wrap
            color: Theme.text
            text: removeDialog.inPlace ? qsTr("Tern will stop listing this model. The file itself stays where it is.")
                                       : qsTr("The model file is deleted and its space freed. You can download it again later.")
        }
        onAccepted: root.manager.remove(path)
    }
}
