#pragma once
// Colours for QML, light or dark. "System" follows the platform palette as it was at start
// (Qt 6.4 has no colour-scheme API, so the window colour's lightness decides); the user's choice
// is kept in QSettings. The theme also becomes the application palette, which is what Qt Quick
// Controls draw with: set there, it reaches every control, popups included, when it changes.
#include <QColor>
#include <QObject>
#include <QtQml/qqmlregistration.h>

namespace tern::app {

class Theme : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    Q_PROPERTY(int mode READ mode WRITE setMode NOTIFY changed)  // 0 system, 1 light, 2 dark
    Q_PROPERTY(bool dark READ dark NOTIFY changed)
    Q_PROPERTY(QColor window READ window NOTIFY changed)
    Q_PROPERTY(QColor sidebar READ sidebar NOTIFY changed)
    Q_PROPERTY(QColor surface READ surface NOTIFY changed)
    Q_PROPERTY(QColor text READ text NOTIFY changed)
    Q_PROPERTY(QColor mutedText READ mutedText NOTIFY changed)
    Q_PROPERTY(QColor accent READ accent NOTIFY changed)
    Q_PROPERTY(QColor accentText READ accentText NOTIFY changed)
    Q_PROPERTY(QColor userBubble READ userBubble NOTIFY changed)
    Q_PROPERTY(QColor assistantBubble READ assistantBubble NOTIFY changed)
    Q_PROPERTY(QColor control READ control NOTIFY changed)
    Q_PROPERTY(QColor border READ border NOTIFY changed)
    Q_PROPERTY(QColor codeBackground READ codeBackground NOTIFY changed)
    Q_PROPERTY(QColor codeKeyword READ codeKeyword NOTIFY changed)  // syntax colouring (CodeHighlighter)
    Q_PROPERTY(QColor codeString READ codeString NOTIFY changed)
    Q_PROPERTY(QColor codeComment READ codeComment NOTIFY changed)
    Q_PROPERTY(QColor codeNumber READ codeNumber NOTIFY changed)
    Q_PROPERTY(QColor errorBackground READ errorBackground NOTIFY changed)
    Q_PROPERTY(QColor errorText READ errorText NOTIFY changed)
    Q_PROPERTY(QColor selection READ selection NOTIFY changed)
public:
    explicit Theme(QObject* parent = nullptr);
    int mode() const { return mode_; }
    void setMode(int mode);
    bool dark() const;
    QColor window() const { return pick("#ffffff", "#1e2127"); }
    QColor sidebar() const { return pick("#f3f4f6", "#16181d"); }
    QColor surface() const { return pick("#ffffff", "#262a31"); }
    QColor text() const { return pick("#1f2328", "#e6e6e6"); }
    QColor mutedText() const { return pick("#5f6670", "#9aa1ab"); }
    QColor accent() const { return pick("#2f6fdb", "#5b9bff"); }
    QColor accentText() const { return pick("#ffffff", "#0d1117"); }
    QColor userBubble() const { return pick("#e8f0fe", "#2b3a55"); }
    QColor assistantBubble() const { return pick("#f6f7f9", "#262a31"); }
    QColor control() const { return pick("#e6e9ee", "#2f343d"); }  // buttons and combo boxes
    QColor border() const { return pick("#d8dce2", "#3a3f4b"); }
    QColor codeBackground() const { return pick("#f0f2f5", "#181a1f"); }
    // Readable on codeBackground (4.5:1 or better) in both themes.
    QColor codeKeyword() const { return pick("#8e24aa", "#c678dd"); }
    QColor codeString() const { return pick("#2e7d32", "#98c379"); }
    QColor codeComment() const { return pick("#5f6670", "#8b929c"); }
    QColor codeNumber() const { return pick("#a0522d", "#d19a66"); }
    QColor errorBackground() const { return pick("#fdecea", "#4a2020"); }
    QColor errorText() const { return pick("#8a1c12", "#ffb4a9"); }
    QColor selection() const { return pick("#dbe6fb", "#33425e"); }

signals:
    void changed();

private:
    void applyPalette();
    QColor pick(const char* light, const char* darkColor) const { return QColor(dark() ? darkColor : light); }
    int mode_ = 0;
    bool systemDark_ = false;
};

}  // namespace tern::app
