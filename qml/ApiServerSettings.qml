// Settings → Local API server: on/off, port and optional key of the OpenAI-compatible server the
// app can run for other programs on this computer. Reads and writes the `apiServer` controller
// (a context property, absent in builds without the server: then it says so).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TernCore

ColumnLayout {
    id: root
    readonly property var server: typeof apiServer !== "undefined" ? apiServer : null
    spacing: 6

    Label { text: qsTr("Local API server"); font.bold: true; color: Theme.text }
    Label {
        visible: !root.server
        text: qsTr("Not available: this build of Tern was made without the server (cpp-httplib).")
        wrapMode: Text.Wrap
        Layout.fillWidth: true
        color: Theme.mutedText
    }
    Switch {
        objectName: "apiServerSwitch"
        visible: !!root.server
        text: qsTr("Serve the loaded model through an OpenAI-compatible API")
        checked: root.server ? root.server.enabled : false
        onToggled: root.server.enabled = checked
        Accessible.name: qsTr("Local API server")
    }
    RowLayout {
        visible: !!root.server
        Label { text: qsTr("Port"); Layout.preferredWidth: 150; color: Theme.text }
        SpinBox {
            objectName: "apiServerPort"
            from: 1; to: 65535; editable: true
            value: root.server ? root.server.port : 8080
            textFromValue: (v) => String(v)   // no digit grouping: "8080", not "8,080"
            valueFromText: (t) => parseInt(t)
            onValueModified: root.server.port = value
            Accessible.name: qsTr("API server port")
        }
    }
    RowLayout {
        visible: !!root.server
        Label { text: qsTr("API key (optional)"); Layout.preferredWidth: 150; color: Theme.text }
        TextField {
            objectName: "apiServerKey"
            Layout.fillWidth: true
            text: root.server ? root.server.apiKey : ""
            echoMode: TextInput.PasswordEchoOnEdit
            placeholderText: qsTr("none")
            // Applied when editing ends: each change restarts the server.
            onEditingFinished: if (root.server && text !== root.server.apiKey) root.server.apiKey = text
            Accessible.name: qsTr("API key")
        }
    }
    Label {
        visible: !!root.server
        text: qsTr("Listens on 127.0.0.1 only: programs on this computer can use it, other computers cannot.")
        wrapMode: Text.Wrap
        Layout.fillWidth: true
        color: Theme.mutedText
    }
    Label {
        objectName: "apiServerError"
        visible: !!root.server && root.server.error.length > 0
        text: root.server ? root.server.error : ""
        wrapMode: Text.Wrap
        Layout.fillWidth: true
        color: Theme.errorText
    }
}
