// Which model answers. Choosing another frees the current one and loads the new one on the
// worker thread; a thin bar shows the progress.
import QtQuick
import QtQuick.Controls
import TernCore

Column {
    id: root
    required property var models       // ModelController
    property int pickerWidth: 260
    spacing: 2
    ChoiceBox {
        id: combo
        objectName: "modelPicker"
        width: root.pickerWidth
        model: root.models.models
        textRole: "name"
        currentIndex: root.models.currentIndex
        // Nothing in use (a load failed): say so rather than name the model that failed.
        displayText: root.models.loading ? qsTr("Loading %1…").arg(root.models.currentName)
                                         : (currentIndex >= 0 && root.models.loaded ? currentText : qsTr("Choose a model"))
        Accessible.name: qsTr("Model")
        onActivated: (index) => root.models.loadAt(index)
    }
    ProgressBar {
        width: combo.width
        height: 3
        visible: root.models.loading
        value: root.models.loadProgress
        Accessible.name: qsTr("Model loading progress")
    }
}
