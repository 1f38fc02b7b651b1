// Prose of a message, already turned into HTML by Markdown.blocks(): selectable, wraps.
import QtQuick
import TernCore

TextEdit {
    required property string html
    text: html
    textFormat: TextEdit.RichText
    readOnly: true
    selectByMouse: true
    wrapMode: TextEdit.Wrap
    color: Theme.text
    selectionColor: Theme.selection
    selectedTextColor: Theme.text
    font.pixelSize: 14
    Accessible.role: Accessible.StaticText
    Accessible.name: getText(0, length)
}
