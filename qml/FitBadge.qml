// Whether a model fits this computer's memory: "Fits", "Tight" or "Won't fit", in a coloured
// pill. fit is -1 when the memory size is unknown, and then nothing is shown.
import QtQuick
import TernCore

Rectangle {
    id: root
    property int fit: -1
    property string text: ""
    visible: fit >= 0 && text.length > 0
    implicitWidth: label.implicitWidth + 14
    implicitHeight: label.implicitHeight + 4
    radius: height / 2
    // Fixed hues, dark enough for white text in both themes.
    color: fit === 0 ? "#2e7d32" : (fit === 1 ? "#b26a00" : "#c62828")
    Accessible.role: Accessible.StaticText
    Accessible.name: qsTr("Memory: %1").arg(text)
    Text {
        id: label
        anchors.centerIn: parent
        text: root.text
        color: "white"
        font.pixelSize: 11
        font.bold: true
    }
}
