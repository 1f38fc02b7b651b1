#include "app/theme.h"

#include <QCoreApplication>
#include <QGuiApplication>
#include <QPalette>
#include <QSettings>

namespace tern::app {

namespace {
// The platform's palette before the first Theme replaced it.
bool platformIsDark() {
    static const bool dark = QGuiApplication::palette().color(QPalette::Window).lightness() < 128;
    return dark;
}
}  // namespace

Theme::Theme(QObject* parent) : QObject(parent), systemDark_(platformIsDark()) {
    mode_ = QSettings().value(QStringLiteral("appearance/theme"), 0).toInt();
    applyPalette();
    connect(this, &Theme::changed, this, &Theme::applyPalette);
}

void Theme::applyPalette() {
    QPalette p;
    for (QPalette::ColorGroup g : {QPalette::Active, QPalette::Inactive}) {
        p.setColor(g, QPalette::Window, window());
        p.setColor(g, QPalette::WindowText, text());
        p.setColor(g, QPalette::Base, surface());
        p.setColor(g, QPalette::AlternateBase, sidebar());
        p.setColor(g, QPalette::Text, text());
        p.setColor(g, QPalette::Button, control());
        p.setColor(g, QPalette::ButtonText, text());
        p.setColor(g, QPalette::Highlight, accent());
        p.setColor(g, QPalette::HighlightedText, accentText());
        p.setColor(g, QPalette::PlaceholderText, mutedText());
        p.setColor(g, QPalette::ToolTipBase, surface());
        p.setColor(g, QPalette::ToolTipText, text());
        p.setColor(g, QPalette::Light, sidebar());
        p.setColor(g, QPalette::Mid, border());
        p.setColor(g, QPalette::Midlight, border());  // Basic style: the empty track of sliders
        p.setColor(g, QPalette::Dark, accent());      // and their filled part
        p.setColor(g, QPalette::Shadow, border());
    }
    p.setColor(QPalette::Disabled, QPalette::WindowText, mutedText());
    p.setColor(QPalette::Disabled, QPalette::Text, mutedText());
    p.setColor(QPalette::Disabled, QPalette::ButtonText, mutedText());
    p.setColor(QPalette::Disabled, QPalette::Window, window());
    p.setColor(QPalette::Disabled, QPalette::Base, surface());
    p.setColor(QPalette::Disabled, QPalette::Button, control());
    QGuiApplication::setPalette(p);
}

void Theme::setMode(int mode) {
    mode = qBound(0, mode, 2);
    if (mode == mode_) return;
    mode_ = mode;
    QSettings().setValue(QStringLiteral("appearance/theme"), mode_);
    emit changed();
}

bool Theme::dark() const {
    if (mode_ == 1) return false;
    if (mode_ == 2) return true;
    // TERN_THEME=dark|light lets a desktop without a dark palette (or a test) pick one.
    const QByteArray env = qgetenv("TERN_THEME");
    if (env == "dark") return true;
    if (env == "light") return false;
    return systemDark_;
}


}  // namespace tern::app
