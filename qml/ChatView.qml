// The messages of the open conversation. Follows the end while a reply streams, unless the user
// has scrolled up to read; then a ↓ button brings them back to the end and following resumes.
// When there are no messages yet, shows the model's card instead.
import QtQuick
import QtQuick.Controls
import TernCore

Item {
    id: root
    required property var messages          // MessageListModel
    required property bool generating
    property string modelName: ""
    property string modelSummary: ""
    property bool modelIsDefault: false
    property bool modelLoading: false

    signal copyRequested(string text)
    signal regenerateRequested(var messageId)
    signal editRequested(var messageId, string text)
    signal versionRequested(var messageId, int delta)
    signal modelsRequested()

    // Shows row at the top (a search hit); later, after the list has been refilled.
    function scrollTo(row) {
        list.pendingRow = row
        Qt.callLater(list.settle)
    }

    ListView {
        id: list
        objectName: "messageList"
        anchors.fill: parent
        anchors.margins: 16
        model: root.messages
        spacing: 4
        clip: true
        visible: count > 0
        boundsBehavior: Flickable.StopAtBounds
        property bool follow: true      // stick to the end while a reply grows, unless the user scrolled up
        property int pendingRow: -1
        function settle() {
            if (pendingRow >= 0 && pendingRow < count) {
                positionViewAtIndex(pendingRow, ListView.Beginning)
                follow = pendingRow === count - 1
                pendingRow = -1
            } else if (follow) {
                positionViewAtEnd()
            }
        }
        onMovementEnded: follow = atYEnd
        onContentHeightChanged: if (follow) Qt.callLater(settle)
        onCountChanged: { follow = true; Qt.callLater(settle) }
        Accessible.role: Accessible.List
        Accessible.name: qsTr("Messages")
        // Dragging the bar is no flick (no movementEnded): decide on release in the same way.
        ScrollBar.vertical: ScrollBar {
            Accessible.name: qsTr("Scroll messages")
            onPressedChanged: if (!pressed) list.follow = list.atYEnd
        }
        function jumpToEnd() {
            follow = true
            positionViewAtEnd()
        }

        delegate: MessageBubble {
            width: ListView.view.width - 12
            busy: root.generating
            onCopyRequested: (t) => root.copyRequested(t)
            onRegenerateRequested: (id) => root.regenerateRequested(id)
            onEditRequested: (id, t) => root.editRequested(id, t)
            onVersionRequested: (id, d) => root.versionRequested(id, d)
        }
    }

    RoundButton {
        id: jumpButton
        objectName: "jumpToEndButton"
        visible: list.visible && !list.follow && !list.atYEnd
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.margins: 28
        text: "↓"
        font.pixelSize: 16
        focusPolicy: Qt.TabFocus
        Accessible.name: qsTr("Jump to the latest message")
        ToolTip.visible: hovered
        ToolTip.delay: 600
        ToolTip.text: qsTr("Jump to the latest message")
        palette.button: Theme.surface
        palette.buttonText: Theme.text
        background: Rectangle {
            implicitWidth: 36
            implicitHeight: 36
            radius: 18
            color: jumpButton.down ? Theme.selection : (jumpButton.hovered ? Theme.control : Theme.surface)
            border.color: jumpButton.visualFocus ? Theme.accent : Theme.border
        }
        onClicked: list.jumpToEnd()
    }

    // In a low window the card is taller than the view: it scrolls inside it instead of
    // spilling over the toolbar and the notices.
    Flickable {
        id: cardView
        objectName: "modelCardView"
        visible: list.count === 0
        anchors.fill: parent
        clip: true
        contentHeight: card.height + 32
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar { Accessible.name: qsTr("Scroll") }
        ModelCard {
            id: card
            x: (cardView.width - width) / 2
            y: Math.max(16, (cardView.height - height) / 2)
            width: Math.min(cardView.width - 48, 560)
            name: root.modelName
            summary: root.modelSummary
            isDefault: root.modelIsDefault
            loading: root.modelLoading
            onModelsRequested: root.modelsRequested()
        }
    }
}
