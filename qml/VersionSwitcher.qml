// "‹ 2/3 ›": moves between the versions of a message (regenerated replies, edited prompts).
import QtQuick
import QtQuick.Layouts
import TernCore

RowLayout {
    id: root
    required property int index      // 1-based
    required property int count
    signal step(int delta)
    spacing: 0
    visible: count > 1

    IconButton {
        label: qsTr("Previous version")
        glyph: "‹"
        enabled: root.index > 1
        onClicked: root.step(-1)
    }
    Text {
        text: root.index + "/" + root.count
        color: Theme.mutedText
        font.pixelSize: 12
        Accessible.role: Accessible.StaticText
        Accessible.name: qsTr("Version %1 of %2").arg(root.index).arg(root.count)
    }
    IconButton {
        label: qsTr("Next version")
        glyph: "›"
        enabled: root.index < root.count
        onClicked: root.step(1)
    }
}
