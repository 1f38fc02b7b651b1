// The status line's API server part: its address and a copy button while it runs, or why it
// could not start. Invisible when the server is off (or not built in).
import QtQuick
import QtQuick.Layouts
import TernCore

RowLayout {
    id: root
    readonly property var server: typeof apiServer !== "undefined" ? apiServer : null
    visible: !!server && (server.running || server.error.length > 0)
    spacing: 4

    Text {
        objectName: "apiStatusText"
        text: !root.server ? "" : root.server.running ? qsTr("API: %1").arg(root.server.url)
                                                      : qsTr("API server off: port %1 in use").arg(root.server.port)
        color: root.server && !root.server.running ? Theme.errorText : Theme.mutedText
        font.pixelSize: 11
        Accessible.name: text
    }
    IconButton {
        objectName: "apiCopyButton"
        visible: !!root.server && root.server.running
        label: qsTr("Copy the API address")
        glyph: "⧉"
        implicitHeight: 20
        onClicked: root.server.copyUrl()
    }
}
