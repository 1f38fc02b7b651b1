// Bottom line: model state, whether the open chat is writing, speed of its last reply, how much
// of the context it used.
import QtQuick
import QtQuick.Layouts
import TernCore

Rectangle {
    id: root
    property string modelName: ""
    property bool loading: false
    property bool loaded: false
    property double loadProgress: 0
    property double tokensPerSecond: 0
    property int contextUsed: 0
    property int contextSize: 0
    property string note: ""
    property bool generating: false   // the open chat's reply is being written...
    property bool waiting: false      // ...or waits for another chat's to finish
    implicitHeight: 24
    color: Theme.sidebar
    Accessible.role: Accessible.StatusBar
    Accessible.name: label.text

    Text {
        id: label
        objectName: "statusText"
        anchors.verticalCenter: parent.verticalCenter
        anchors.left: parent.left
        anchors.leftMargin: 10
        color: Theme.mutedText
        font.pixelSize: 11
        text: {
            let parts = []
            if (root.loading) parts.push(qsTr("Loading %1… %2%").arg(root.modelName).arg(Math.round(root.loadProgress * 100)))
            else if (root.loaded) parts.push(root.modelName)
            else parts.push(qsTr("No model loaded"))
            if (root.waiting) parts.push(qsTr("waiting for another chat…"))
            else if (root.generating) parts.push(qsTr("writing…"))
            if (root.tokensPerSecond > 0) parts.push(qsTr("%1 tok/s").arg(root.tokensPerSecond.toFixed(1)))
            if (root.contextSize > 0)
                parts.push(root.contextUsed > 0 ? qsTr("context %1 / %2").arg(root.contextUsed).arg(root.contextSize)
                                                : qsTr("context %1 tokens").arg(root.contextSize))
            if (root.note.length) parts.push(root.note)
            return parts.join("  ·  ")
        }
    }
    ApiStatus {
        anchors.verticalCenter: parent.verticalCenter
        anchors.right: parent.right
        anchors.rightMargin: 6
    }
}
