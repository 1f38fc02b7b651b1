// Conversations grouped Today / Yesterday / Earlier, newest first. Click opens; double-click or
// the ⋯ menu renames; the menu also deletes (which can be undone). A chat whose reply is being
// written, or waits for another chat's, says so in its row.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TernCore

ListView {
    id: root
    property var currentId: 0
    property var busy: ({})   // conversation id (string) -> "writing" / "waiting"
    signal openRequested(var conversationId)
    signal renameRequested(var conversationId, string title)
    signal deleteRequested(var conversationId)
    clip: true
    boundsBehavior: Flickable.StopAtBounds
    Accessible.role: Accessible.List
    Accessible.name: qsTr("Conversations")
    ScrollBar.vertical: ScrollBar { Accessible.name: qsTr("Scroll conversations") }

    section.property: "section"
    section.delegate: Text {
        required property string section
        text: section
        color: Theme.mutedText
        font.pixelSize: 11
        font.bold: true
        leftPadding: 12
        topPadding: 10
        bottomPadding: 4
    }

    delegate: ItemDelegate {
        id: row
        required property var conversationId
        required property string title
        required property int index
        width: ListView.view.width
        height: 36
        topPadding: 2
        bottomPadding: 2
        leftPadding: 12
        rightPadding: 4
        highlighted: conversationId === root.currentId
        readonly property string activity: root.busy[String(conversationId)] || ""
        Accessible.name: activity === "writing" ? qsTr("Conversation: %1 (writing a reply)").arg(title)
                       : activity === "waiting" ? qsTr("Conversation: %1 (reply waiting)").arg(title)
                       : qsTr("Conversation: %1").arg(title)
        property bool renaming: false
        onClicked: root.openRequested(conversationId)
        onDoubleClicked: { renaming = true; renameField.text = title; renameField.selectAll(); renameField.forceActiveFocus() }
        background: Rectangle {
            color: row.highlighted ? Theme.selection : (row.hovered ? Qt.darker(Theme.sidebar, Theme.dark ? 0.8 : 1.04) : "transparent")
            radius: 6
        }
        contentItem: RowLayout {
            Text {
                visible: !row.renaming
                Layout.alignment: Qt.AlignVCenter
                text: row.title
                color: Theme.text
                elide: Text.ElideRight
                Layout.fillWidth: true
                font.pixelSize: 13
            }
            Text {
                objectName: "conversationActivity"
                visible: row.activity.length > 0 && !row.renaming
                text: row.activity === "writing" ? qsTr("writing…") : qsTr("waiting")
                color: row.activity === "writing" ? Theme.accent : Theme.mutedText
                font.pixelSize: 11
                font.italic: true
            }
            TextField {
                id: renameField
                visible: row.renaming
                Layout.fillWidth: true
                Accessible.name: qsTr("New title")
                onAccepted: { root.renameRequested(row.conversationId, text); row.renaming = false }
                Keys.onEscapePressed: row.renaming = false
                onActiveFocusChanged: if (!activeFocus) row.renaming = false
            }
            IconButton {
                label: qsTr("Conversation actions")
                glyph: "⋯"
                visible: row.hovered || row.highlighted
                onClicked: menu.popup()
                Menu {
                    id: menu
                    MenuItem {
                        text: qsTr("Rename")
                        Accessible.name: qsTr("Rename conversation")
                        onTriggered: { row.renaming = true; renameField.text = row.title; renameField.selectAll(); renameField.forceActiveFocus() }
                    }
                    MenuItem {
                        text: qsTr("Delete")
                        Accessible.name: qsTr("Delete conversation")
                        onTriggered: root.deleteRequested(row.conversationId)
                    }
                }
            }
        }
    }
}
