// Per-conversation system prompt, sampling, stop strings and chat template, with buttons to make them the app-wide defaults
// or to go back to the defaults; and the theme. The dialog belongs to the conversation it was
// opened for (conversationId): switching chats while it is open does not move or drop the edits.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TernCore

ThemedDialog {
    id: root
    required property var chat   // ChatController
    property var appSettings: null   // AppSettings: the model-load options below
    property var conversationId: 0
    title: qsTr("Chat settings")
    standardButtons: Dialog.Close
    width: Math.min(parent ? parent.width - 32 : 520, 560)
    height: Math.min(implicitHeight, parent ? parent.height - 32 : implicitHeight)

    function openFor(id) {
        conversationId = id
        open()
    }
    function load() {
        const s = root.chat.settingsFor(root.conversationId)
        prompt.text = s.systemPrompt
        temperature.value = s.temperature
        topP.value = s.topP
        topK.value = s.topK
        penalty.value = s.repeatPenalty
        maxTokens.value = s.maxTokens
        minP.value = s.minP
        stopStrings.text = s.stopText
        chatTemplate.currentIndex = Math.max(0, root.templateNames.indexOf(s.chatTemplate))
    }
    function values() {
        let s = root.chat.settingsFor(root.conversationId)   // a chatSettings value: typed fields
        s.systemPrompt = prompt.text
        s.temperature = temperature.value
        s.topP = topP.value
        s.topK = topK.value
        s.repeatPenalty = penalty.value
        s.maxTokens = maxTokens.value
        s.minP = minP.value
        s.stopText = stopStrings.text
        s.chatTemplate = root.templateNames[chatTemplate.currentIndex]
        return s
    }
    // A new chat becomes a saved one on Apply: keep following it.
    function apply(saveAsDefaults) {
        const id = saveAsDefaults ? root.chat.saveSettingsAsDefaults(root.conversationId, values())
                                  : root.chat.applySettings(root.conversationId, values())
        if (id) root.conversationId = id
        return id
    }
    onAboutToShow: load()
    // The engine's template names ("" = the one the model file names), in chatTemplate's order.
    readonly property var templateNames: ["", "bitnet", "llama3", "chatml", "falcon3"]

    component LabeledSlider: RowLayout {
        id: ls
        required property string label
        property alias value: slider.value
        property alias from: slider.from
        property alias to: slider.to
        property alias stepSize: slider.stepSize
        Label { text: ls.label; Layout.preferredWidth: 150; color: Theme.text }
        Slider {
            id: slider
            Layout.fillWidth: true
            snapMode: Slider.SnapAlways
            Accessible.name: ls.label
        }
        Label { text: slider.value.toFixed(2); Layout.preferredWidth: 40; color: Theme.text }
    }

    // Scrolls when the window is too low for every control (the window allows 420 px).
    ScrollView {
        id: scroll
        objectName: "settingsScroll"
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: scroll.availableWidth
            spacing: 8
            Label { text: qsTr("System prompt"); color: Theme.text }
            ScrollView {
                Layout.fillWidth: true
                Layout.preferredHeight: 90
                TextArea {
                    id: prompt
                    objectName: "systemPromptField"
                    wrapMode: TextEdit.Wrap
                    color: Theme.text
                    Accessible.name: qsTr("System prompt")
                    background: Rectangle { color: Theme.surface; border.color: Theme.border; radius: 6 }
                }
            }
            LabeledSlider { id: temperature; label: qsTr("Temperature"); from: 0; to: 2; stepSize: 0.05 }
            LabeledSlider { id: topP; label: qsTr("Top-p"); from: 0; to: 1; stepSize: 0.01 }
            LabeledSlider { id: penalty; label: qsTr("Repetition penalty"); from: 1; to: 2; stepSize: 0.01 }
            RowLayout {
                Label { text: qsTr("Top-k (0 = off)"); Layout.preferredWidth: 150; color: Theme.text }
                SpinBox { id: topK; from: 0; to: 1000; editable: true; Accessible.name: qsTr("Top-k") }
            }
            RowLayout {
                Label { text: qsTr("Max tokens (0 = no limit)"); Layout.preferredWidth: 150; color: Theme.text }
                SpinBox { id: maxTokens; from: 0; to: 32768; stepSize: 64; editable: true; Accessible.name: qsTr("Maximum reply tokens") }
            }
            LabeledSlider { id: minP; label: qsTr("Min-p (0 = off)"); from: 0; to: 1; stepSize: 0.01 }
            RowLayout {
                Label { text: qsTr("Stop strings"); Layout.preferredWidth: 150; Layout.alignment: Qt.AlignTop; color: Theme.text }
                TextArea {
                    id: stopStrings
                    objectName: "stopStringsField"
                    Layout.fillWidth: true
                    Layout.preferredHeight: Math.max(implicitHeight, 56)
                    placeholderText: qsTr("One per line; \\n is a line break")
                    color: Theme.text
                    Accessible.name: qsTr("Stop strings: the reply ends before any of them")
                    background: Rectangle { color: Theme.surface; border.color: Theme.border; radius: 6 }
                }
            }
            RowLayout {
                Label { text: qsTr("Chat template"); Layout.preferredWidth: 150; color: Theme.text }
                ChoiceBox {
                    id: chatTemplate
                    objectName: "chatTemplateBox"
                    model: [qsTr("The model's own"), "BitNet", "Llama 3", "ChatML", "Falcon 3"]
                    Accessible.name: qsTr("Chat template")
                }
            }
            RowLayout {
                Label { text: qsTr("Theme"); Layout.preferredWidth: 150; color: Theme.text }
                ChoiceBox {
                    objectName: "themeBox"
                    model: [qsTr("Follow the system"), qsTr("Light"), qsTr("Dark")]
                    currentIndex: Theme.mode
                    onActivated: (index) => Theme.mode = index
                    Accessible.name: qsTr("Theme")
                }
            }
            RowLayout {
                Layout.topMargin: 8
                Button { objectName: "applySettingsButton"; text: qsTr("Apply to this chat"); Accessible.name: text; onClicked: { if (root.apply(false)) root.close() } }
                Button { text: qsTr("Save as defaults"); Accessible.name: qsTr("Save as defaults for all chats"); onClicked: { if (root.apply(true)) root.close() } }
                Button { text: qsTr("Reset"); Accessible.name: qsTr("Reset this chat to the defaults"); onClicked: { root.chat.resetSettings(root.conversationId); root.load() } }
            }
            // App-wide, not per chat: a model is loaded with these, so they apply at its next load.
            Label {
                visible: root.appSettings !== null
                Layout.topMargin: 12
                text: qsTr("All chats, from the next model load")
                color: Theme.text
                font.bold: true
            }
            RowLayout {
                visible: root.appSettings !== null
                Label { text: qsTr("Threads (0 = all)"); Layout.preferredWidth: 150; color: Theme.text }
                SpinBox {
                    objectName: "threadsBox"
                    from: 0; to: 256; editable: true
                    value: root.appSettings ? root.appSettings.threads : 0
                    onValueModified: root.appSettings.threads = value
                    Accessible.name: qsTr("Threads, from the next model load (0 = all)")
                }
            }
            RowLayout {
                visible: root.appSettings !== null
                Label { text: qsTr("Context (0 = model's)"); Layout.preferredWidth: 150; color: Theme.text }
                SpinBox {
                    objectName: "contextSizeBox"
                    from: 0; to: 131072; stepSize: 1024; editable: true
                    value: root.appSettings ? root.appSettings.contextSize : 0
                    onValueModified: root.appSettings.contextSize = value
                    Accessible.name: qsTr("Context length in tokens, from the next model load (0 = the model's default)")
                }
            }
            Switch {
                objectName: "compactCacheBox"
                visible: root.appSettings !== null
                text: qsTr("Compact conversation memory")
                checked: root.appSettings ? root.appSettings.compactCache : false
                onToggled: root.appSettings.compactCache = checked
                Accessible.name: qsTr("Compact conversation memory, from the next model load")
                Accessible.description: hint.text
            }
            Label {
                id: hint
                visible: root.appSettings !== null
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                color: Theme.mutedText
                text: qsTr("Keeps what the model remembers of a conversation at half precision: half the memory for long chats and faster replies late in them. Replies may differ slightly from the exact setting.")
            }
            ApiServerSettings { Layout.fillWidth: true; Layout.topMargin: 12 }
        }
    }
}
