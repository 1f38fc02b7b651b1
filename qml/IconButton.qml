// A small flat button with a text glyph, a tooltip and an accessible name: the toolbar and the
// message actions are made of these.
import QtQuick
import QtQuick.Controls
import TernCore

ToolButton {
    id: root
    required property string label      // what screen readers and the tooltip say
    property string glyph: label
    text: glyph
    font.pixelSize: 13
    flat: true
    focusPolicy: Qt.TabFocus
    Accessible.name: label
    ToolTip.visible: hovered && glyph !== label
    ToolTip.delay: 600
    ToolTip.text: label
    contentItem: Text {
        text: root.text
        font: root.font
        color: root.enabled ? Theme.text : Theme.mutedText
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
    }
    background: Rectangle {
        implicitWidth: Math.max(28, root.contentItem.implicitWidth + 12)
        implicitHeight: 28
        radius: 6
        color: root.down ? Theme.selection : (root.hovered || root.visualFocus ? Theme.sidebar : "transparent")
        border.color: root.visualFocus ? Theme.accent : "transparent"
    }
}
