#pragma once
// What the end-to-end tests (tst_e2e_*.cpp) share: the real app (TernApplication + Main.qml +
// worker + engine + SQLite) in a temporary folder, the models it runs on, screenshots, and helpers
// that drive its window like a user would (find a visible control, click it, type).
#include "app/chat_controller.h"
#include "app/conversation_store.h"
#include "app/history_controller.h"
#include "app/model_controller.h"
#include "app/tern_application.h"
#include "app/theme.h"
#include "app_test_support.h"
#include "served_model.h"
#include "engine/model/default_model.h"

#include "app/app_settings.h"
#include "app/conversation_exporter.h"
#include "app/model_manager_controller.h"
#include "app/modelstore/model_library.h"
#include "app/notice_list_model.h"
#include "app/notice_service.h"

#include <QAccessible>
#include <QDir>
#include <QFileInfo>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

namespace tern_app_test::e2e {

// Every item of the visual tree (delegates of views are not QObject children of the view).
inline void collect(QQuickItem* item, QVector<QQuickItem*>& out) {
    out.push_back(item);
    for (QQuickItem* child : item->childItems()) collect(child, out);
}

inline QVector<QQuickItem*> allItems(QQuickWindow* w) {
    QVector<QQuickItem*> out;
    collect(w->contentItem(), out);
    return out;
}

inline QQuickItem* findVisible(QQuickWindow* w, const char* objectName) {
    QQuickItem* found = nullptr;
    for (QQuickItem* item : allItems(w))
        if (item->objectName() == QLatin1String(objectName) && item->isVisible()) found = item;  // the newest message's
    return found;
}

inline void click(QQuickWindow* w, QQuickItem* item) {
    QVERIFY(item);
    const QPointF p = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
    QTest::mouseClick(w, Qt::LeftButton, {}, p.toPoint());
}

// Shown, of some size, and entirely inside the window: reachable by the user.
inline bool insideWindow(QQuickWindow* w, QQuickItem* item) {
    if (!item || !item->isVisible() || item->width() < 4 || item->height() < 4) return false;
    const QRectF r = item->mapRectToScene(QRectF(0, 0, item->width(), item->height()));
    return QRectF(0, 0, w->width(), w->height()).contains(r);
}

inline QStringList visibleTexts(QQuickWindow* w, const char* objectName) {
    QStringList out;
    for (QQuickItem* item : allItems(w))
        if (item->objectName() == QLatin1String(objectName) && item->isVisible()) out << item->property("text").toString();
    return out;
}

inline void typeText(QQuickWindow* w, const QByteArray& text) {
    for (const char ch : text) QTest::keyClick(w, ch);
}

// The visible item of that name inside parent (its delegates included).
inline QQuickItem* childNamed(QQuickItem* parent, const char* objectName) {
    QVector<QQuickItem*> items;
    collect(parent, items);
    for (QQuickItem* item : items)
        if (item != parent && item->objectName() == QLatin1String(objectName) && item->isVisible()) return item;
    return nullptr;
}

// The Models page's row of the model with that name (an InstalledModelRow).
inline QQuickItem* installedRow(QQuickWindow* w, const QString& name) {
    for (QQuickItem* item : allItems(w))
        if (item->isVisible() && item->property("isBuiltIn").isValid() && item->property("loadFailed").isValid() &&
            item->property("name").toString() == name)
            return item;
    return nullptr;
}

// WCAG contrast ratio of two colours (4.5 is the floor for body text).
inline double contrast(const QColor& a, const QColor& b) {
    auto channel = [](double c) { return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); };
    auto luminance = [&](const QColor& c) {
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
    };
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

// Opens combo's list, moves the highlight down one entry, and returns the contrast of the
// highlighted entry's text against its background.
inline double highlightedEntryContrast(QQuickWindow* w, QQuickItem* combo) {
    QObject* popup = combo->property("popup").value<QObject*>();
    if (!popup) return 0;
    QMetaObject::invokeMethod(popup, "open");
    if (!waitFor([&] { return popup->property("opened").toBool(); })) return 0;
    QMetaObject::invokeMethod(combo, "incrementCurrentIndex");
    QTest::qWait(50);
    for (QQuickItem* item : allItems(w)) {
        if (!item->inherits("QQuickItemDelegate") || !item->isVisible() || !item->property("highlighted").toBool()) continue;
        auto* text = item->property("contentItem").value<QQuickItem*>();
        auto* back = item->property("background").value<QQuickItem*>();
        if (!text || !back) return 0;
        const QColor bg = back->isVisible() ? back->property("color").value<QColor>() : QColor(Qt::white);
        return contrast(text->property("color").value<QColor>(), bg);
    }
    return 0;
}

inline void closeList(QQuickItem* combo) {
    QObject* popup = combo->property("popup").value<QObject*>();
    QMetaObject::invokeMethod(popup, "close");
    QVERIFY(waitFor([&] { return !popup->property("visible").toBool(); }));
}

inline tern::app::Theme* themeOf(QQmlApplicationEngine* e) {
    return e->singletonInstance<tern::app::Theme*>(qmlTypeId("TernCore", 1, 0, "Theme"));
}


// The base of each end-to-end test class: its initTestCase() calls setUpFixture() first.
class Fixture : public QObject {
protected:
    QTemporaryDir dir_;  // histories, model folders and (without TERN_SCREENSHOT_DIR) screenshots
    QString defaultModel_;  // resources/models/tern-default.gguf, as the app finds it
    QString chatModel_;     // what the conversation runs on
    QString shots_;

    void shot(tern::app::TernApplication& app, const QString& name) {
        QTest::qWait(250);  // let the scene graph catch up with the last changes
        const QImage image = app.window()->grabWindow();
        QVERIFY(!image.isNull());
        const QString path = shots_ + QLatin1Char('/') + name + QStringLiteral(".png");
        QVERIFY(image.save(path));
        qInfo("screenshot: %s", qPrintable(path));
    }
    tern::app::AppOptions options(const QString& history = QStringLiteral("history.sqlite3")) const {
        tern::app::AppOptions o;
        o.databasePath = dir_.filePath(history);
        o.modelsDir = dir_.filePath(QStringLiteral("models"));
        o.worker.tokenDelayMsForTesting = 15;  // a steady stream the test can watch and stop
        return o;
    }

    void setUpFixture() {
        tern_app_test::isolateUserFolders();
        tern::app::TernApplication::setIdentity();
        QQuickStyle::setStyle(QStringLiteral("Basic"));
        shots_ = qEnvironmentVariable("TERN_SCREENSHOT_DIR", dir_.filePath(QStringLiteral("shots")));
        QDir().mkpath(shots_);
        // The chat itself runs on a tiny synthetic model: it streams long replies whatever the
        // prompt, so Stop and Regenerate can be exercised every time. The built-in model (a story
        // writer that may end a chat reply at once) is checked at first start, then swapped out
        // through the model controller, as the model picker does.
        defaultModel_ = QString::fromStdString(
            tern::default_model_path(QCoreApplication::applicationFilePath().toLocal8Bit().constData()));
        if (defaultModel_.isEmpty()) qWarning("The default model (resources/models/tern-default.gguf) is missing.");
        chatModel_ = tern_app_test::tinyModelPath();
    }
};

}  // namespace tern_app_test::e2e
