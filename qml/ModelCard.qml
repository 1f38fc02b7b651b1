// Welcome card of an empty chat: which model is loaded and what it can do. For the built-in
// model it says plainly that it is a tiny demo, with a button to the Models page.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TernCore

Rectangle {
    id: root
    property string name: ""
    property string summary: ""
    property bool isDefault: false
    property bool loading: false
    signal modelsRequested()
    implicitHeight: column.implicitHeight + 40
    radius: 12
    color: Theme.surface
    border.color: Theme.border
    Accessible.role: Accessible.Pane
    Accessible.name: qsTr("Model card")
    Accessible.description: summary

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: 20
        spacing: 10
        Text {
            text: root.loading ? qsTr("Loading %1…").arg(root.name)
                               : (root.name.length ? root.name : qsTr("No model loaded"))
            color: Theme.text
            font.pixelSize: 20
            font.bold: true
            Layout.fillWidth: true
            wrapMode: Text.Wrap
        }
        Text {
            visible: root.isDefault
            text: qsTr("Built-in demo model")
            color: Theme.accent
            font.pixelSize: 12
            font.bold: true
        }
        Text {
            text: root.summary.length ? root.summary
                                      : qsTr("Pick a model in the model picker above to start chatting.")
            color: Theme.mutedText
            font.pixelSize: 14
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        Button {
            objectName: "getModelButton"
            visible: root.isDefault || (!root.loading && root.name.length === 0)
            text: qsTr("Get a real model…")
            Accessible.name: qsTr("Open Models to download BitNet b1.58 2B4T or import a model")
            onClicked: root.modelsRequested()
        }
        Text {
            text: qsTr("Type a message below and press Enter. Shift+Enter starts a new line.")
            color: Theme.mutedText
            font.pixelSize: 12
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
    }
}
