// Models page → "Add from URL…": a bar with a field for the address of a .gguf file. Enter (or
// Add) starts the download, Esc (or Cancel) closes the bar without closing the page. A bar on the
// page rather than a dialog: what is wrong with an address appears in the page's notices right
// below it, and the text stays in the field to be corrected.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TernCore

Rectangle {
    id: root
    // Takes the address; returns "" when the download is listed, else why not (the caller also
    // shows the reason, in the page's notices).
    property var addUrl: function(url) { return "" }
    property string error: ""  // the reason the last address was refused, until it is edited
    property alias text: field.text
    signal closed()

    function open() {
        visible = true
        field.forceActiveFocus()
        field.selectAll()
    }
    function close() {
        visible = false
        error = ""
        closed()
    }
    function submit() {
        const address = field.text.trim()
        if (address.length === 0) return
        error = root.addUrl(address)
        if (error.length === 0) {
            field.clear()
            close()
        } else {
            field.forceActiveFocus()
            field.selectAll()
        }
    }

    visible: false
    implicitHeight: column.implicitHeight + 20
    radius: 8
    color: Theme.surface
    border.color: Theme.border

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: 10
        spacing: 6
        RowLayout {
            Layout.fillWidth: true
            TextField {
                id: field
                objectName: "urlField"
                Layout.fillWidth: true
                placeholderText: qsTr("https://huggingface.co/…/model.gguf")
                placeholderTextColor: Theme.mutedText
                color: Theme.text
                selectionColor: Theme.selection
                selectedTextColor: Theme.text
                selectByMouse: true
                Accessible.name: qsTr("Address of a GGUF model file")
                onTextEdited: root.error = ""
                Keys.onReturnPressed: root.submit()
                Keys.onEnterPressed: root.submit()
                // Accepted here, so the page (which closes on Esc) stays open.
                Keys.onEscapePressed: (event) => { event.accepted = true; root.close() }
                background: Rectangle {
                    implicitHeight: 34
                    radius: 4
                    color: Theme.window
                    border.width: field.activeFocus || root.error.length > 0 ? 2 : 1
                    border.color: root.error.length > 0 ? Theme.errorText : field.activeFocus ? Theme.accent : Theme.border
                }
            }
            Button {
                objectName: "addUrlButton"
                text: qsTr("Add")
                enabled: field.text.trim().length > 0
                Accessible.name: qsTr("Download the model at this address")
                onClicked: root.submit()
            }
            Button { objectName: "cancelUrlButton"; text: qsTr("Cancel"); onClicked: root.close() }
        }
        Text {
            objectName: "urlHint"
            text: qsTr("Paste the link to a .gguf file (http:// or https://). Links to a file's page on Hugging Face work too.")
            color: Theme.mutedText
            font.pixelSize: 12
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
    }
}
