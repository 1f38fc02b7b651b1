// A modal dialog in the app's theme. The Basic style paints a dialog's title bar and button row
// from the popup's palette, which does not follow a theme switch made after start (dark mode
// showed an almost invisible title and a white button row): every dialog takes its colours from
// Theme here, in one place.
import QtQuick
import QtQuick.Controls
import TernCore

Dialog {
    modal: true
    background: Rectangle { color: Theme.surface; border.color: Theme.border; radius: 8 }
    palette.window: Theme.surface
    palette.windowText: Theme.text
    palette.button: Theme.control
    palette.buttonText: Theme.text
}
