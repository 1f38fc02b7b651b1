// A drop-down list drawn in the theme's colours. The Basic style paints the highlighted entry
// in the palette's highlighted-text colour (white) on its "light" colour (pale grey), which
// cannot be read; here the entry under the pointer or the keys is the theme's text on the
// selection colour, in light and dark alike. The box is as wide as its longest entry, so that
// "Follow the system" is never cut to "Follow the syst".
import QtQuick
import QtQuick.Controls
import TernCore

ComboBox {
    id: root
    implicitContentWidthPolicy: ComboBox.WidestText

    delegate: ItemDelegate {
        id: entry
        objectName: "choice"
        required property int index
        width: ListView.view ? ListView.view.width : implicitWidth
        text: root.textAt(index)
        highlighted: root.highlightedIndex === index
        hoverEnabled: root.hoverEnabled
        font.weight: root.currentIndex === index ? Font.DemiBold : Font.Normal
        contentItem: Text {
            text: entry.text
            font: entry.font
            color: Theme.text
            elide: Text.ElideRight
            verticalAlignment: Text.AlignVCenter
        }
        background: Rectangle {
            implicitHeight: 36
            color: entry.highlighted || entry.down ? Theme.selection : "transparent"
        }
    }
}
