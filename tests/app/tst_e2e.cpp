// End to end: the real app (TernApplication + Main.qml + worker + engine + SQLite) driven through
// its window like a user would: type, Enter, watch tokens stream, Esc, Regenerate, quit, start
// again and find the conversation. Saves screenshots of the main states, light and dark.
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

using namespace tern::app;
using tern_app_test::waitFor;

namespace {

// Every item of the visual tree (delegates of views are not QObject children of the view).
void collect(QQuickItem* item, QVector<QQuickItem*>& out) {
    out.push_back(item);
    for (QQuickItem* child : item->childItems()) collect(child, out);
}

QVector<QQuickItem*> allItems(QQuickWindow* w) {
    QVector<QQuickItem*> out;
    collect(w->contentItem(), out);
    return out;
}

QQuickItem* findVisible(QQuickWindow* w, const char* objectName) {
    QQuickItem* found = nullptr;
    for (QQuickItem* item : allItems(w))
        if (item->objectName() == QLatin1String(objectName) && item->isVisible()) found = item;  // the newest message's
    return found;
}

void click(QQuickWindow* w, QQuickItem* item) {
    QVERIFY(item);
    const QPointF p = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
    QTest::mouseClick(w, Qt::LeftButton, {}, p.toPoint());
}

// Shown, of some size, and entirely inside the window: reachable by the user.
bool insideWindow(QQuickWindow* w, QQuickItem* item) {
    if (!item || !item->isVisible() || item->width() < 4 || item->height() < 4) return false;
    const QRectF r = item->mapRectToScene(QRectF(0, 0, item->width(), item->height()));
    return QRectF(0, 0, w->width(), w->height()).contains(r);
}

QStringList visibleTexts(QQuickWindow* w, const char* objectName) {
    QStringList out;
    for (QQuickItem* item : allItems(w))
        if (item->objectName() == QLatin1String(objectName) && item->isVisible()) out << item->property("text").toString();
    return out;
}

void typeText(QQuickWindow* w, const QByteArray& text) {
    for (const char ch : text) QTest::keyClick(w, ch);
}

// The visible item of that name inside parent (its delegates included).
QQuickItem* childNamed(QQuickItem* parent, const char* objectName) {
    QVector<QQuickItem*> items;
    collect(parent, items);
    for (QQuickItem* item : items)
        if (item != parent && item->objectName() == QLatin1String(objectName) && item->isVisible()) return item;
    return nullptr;
}

// The Models page's row of the model with that name (an InstalledModelRow).
QQuickItem* installedRow(QQuickWindow* w, const QString& name) {
    for (QQuickItem* item : allItems(w))
        if (item->isVisible() && item->property("isBuiltIn").isValid() && item->property("loadFailed").isValid() &&
            item->property("name").toString() == name)
            return item;
    return nullptr;
}

// WCAG contrast ratio of two colours (4.5 is the floor for body text).
double contrast(const QColor& a, const QColor& b) {
    auto channel = [](double c) { return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); };
    auto luminance = [&](const QColor& c) {
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
    };
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

// Opens combo's list, moves the highlight down one entry, and returns the contrast of the
// highlighted entry's text against its background.
double highlightedEntryContrast(QQuickWindow* w, QQuickItem* combo) {
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

void closeList(QQuickItem* combo) {
    QObject* popup = combo->property("popup").value<QObject*>();
    QMetaObject::invokeMethod(popup, "close");
    QVERIFY(waitFor([&] { return !popup->property("visible").toBool(); }));
}

Theme* themeOf(QQmlApplicationEngine* e) {
    return e->singletonInstance<Theme*>(qmlTypeId("TernCore", 1, 0, "Theme"));
}

}  // namespace

class EndToEnd : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString defaultModel_;  // resources/models/tern-default.gguf, as the app finds it
    QString chatModel_;     // what the conversation runs on
    QString shots_;

    void shot(TernApplication& app, const QString& name) {
        QTest::qWait(250);  // let the scene graph catch up with the last changes
        const QImage image = app.window()->grabWindow();
        QVERIFY(!image.isNull());
        const QString path = shots_ + QLatin1Char('/') + name + QStringLiteral(".png");
        QVERIFY(image.save(path));
        qInfo("screenshot: %s", qPrintable(path));
    }
    AppOptions options(const QString& history = QStringLiteral("history.sqlite3")) const {
        AppOptions o;
        o.databasePath = dir_.filePath(history);
        o.modelsDir = dir_.filePath(QStringLiteral("models"));
        o.worker.tokenDelayMsForTesting = 15;  // a steady stream the test can watch and stop
        return o;
    }

private slots:
    void initTestCase() {
        tern_app_test::isolateUserFolders();
        TernApplication::setIdentity();
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

    void chatStopRegenerateRestart() {
        qint64 conversation = 0;
        {
            QElapsedTimer startup;
            startup.start();
            TernApplication app(options());
            QVERIFY(app.start());
            QVERIFY(QTest::qWaitForWindowExposed(app.window()));
            qInfo("startup: window shown %lld ms after construction", (long long)startup.elapsed());
            QVERIFY(waitFor([&] { return app.models()->loaded(); }, 60000));
            qInfo("startup: model loaded after %lld ms", (long long)startup.elapsed());
            themeOf(app.qmlEngine())->setMode(1);
            if (!defaultModel_.isEmpty()) {  // a fresh install chats offline with the built-in model
                QCOMPARE(QFileInfo(app.models()->info().path).canonicalFilePath(), QFileInfo(defaultModel_).canonicalFilePath());
                QVERIFY(app.models()->currentIsDefault());
                QVERIFY(app.models()->currentSummary().contains(QStringLiteral("model manager")));
            }
            shot(app, QStringLiteral("01-first-start-light"));

            // Switch models: the old one is freed, the new one loads with progress.
            app.models()->load(chatModel_);
            QVERIFY(app.models()->loading());
            QVERIFY(waitFor([&] { return app.models()->loaded(); }, 60000));
            QCOMPARE(app.models()->info().path, chatModel_);

            // Type and press Enter, as a user would: the composer has the focus at start.
            app.window()->requestActivate();
            for (const char ch : QByteArray("Tell me a story about a cat")) QTest::keyClick(app.window(), ch);
            QTest::keyClick(app.window(), Qt::Key_Return);
            QVERIFY(app.chat()->generating());
            QCOMPARE(app.chat()->messages()->rowCount(), 2);
            QCOMPARE(app.chat()->messages()->contentAt(0), QStringLiteral("Tell me a story about a cat"));
            // Stop mid-reply with Esc. A sampled reply can end by itself before the key arrives;
            // then regenerate and try again.
            MessageListModel* list = app.chat()->messages();
            auto replyState = [&] { return list->data(list->index(1), MessageListModel::StateRole).toInt(); };
            bool stopped = false;
            for (int attempt = 0; attempt < 6 && !stopped; ++attempt) {
                if (attempt > 0) app.chat()->regenerate(list->data(list->index(1), MessageListModel::MessageIdRole).toLongLong());
                QVERIFY(waitFor([&] { return list->contentAt(1).size() >= 8 || !app.chat()->generating(); }));
                if (!app.chat()->generating()) {
                    qInfo("attempt %d: the reply ended by itself after %d characters (notice: %s)", attempt,
                          int(list->contentAt(1).size()),
                          qPrintable(app.chat()->notice().value(QStringLiteral("detail")).toString()));
                    continue;
                }
                QElapsedTimer stop;
                stop.start();
                QTest::keyClick(app.window(), Qt::Key_Escape);
                QVERIFY(waitFor([&] { return !app.chat()->generating(); }, 2000));
                stopped = replyState() == int(MessageState::Stopped);
                if (stopped) qInfo("stop: reply ended %lld ms after Esc", (long long)stop.elapsed());
            }
            QVERIFY2(stopped, "every reply ended by itself before Esc");
            shot(app, QStringLiteral("02-stopped-light"));

            const int versions = list->data(list->index(1), MessageListModel::VersionCountRole).toInt();
            click(app.window(), findVisible(app.window(), "regenerateButton"));
            QVERIFY(app.chat()->generating());
            QVERIFY(waitFor([&] { return list->contentAt(1).size() >= 8 || !app.chat()->generating(); }));
            shot(app, QStringLiteral("03-streaming-light"));
            QVERIFY(waitFor([&] { return !app.chat()->generating(); }, 120000));
            QCOMPARE(list->data(list->index(1), MessageListModel::VersionCountRole).toInt(), versions + 1);
            QCOMPARE(list->data(list->index(1), MessageListModel::VersionIndexRole).toInt(), versions + 1);
            shot(app, QStringLiteral("04-regenerated-light"));
            themeOf(app.qmlEngine())->setMode(2);
            shot(app, QStringLiteral("05-regenerated-dark"));
            conversation = app.chat()->conversationId();

            // Every control says what it is to a screen reader.
            QStringList unnamed;
            for (QQuickItem* item : allItems(app.window())) {
                const bool control = item->inherits("QQuickAbstractButton") || item->inherits("QQuickTextArea") ||
                                     item->inherits("QQuickTextField") || item->inherits("QQuickComboBox") ||
                                     item->inherits("QQuickSlider") || item->inherits("QQuickSpinBox");
                if (!control || !item->isVisible()) continue;
                bool part = false;  // the text field inside a combo box is part of it, not a control of its own
                for (QQuickItem* p = item->parentItem(); p; p = p->parentItem())
                    part |= p->inherits("QQuickComboBox") || p->inherits("QQuickSpinBox");
                if (part) continue;
                QAccessibleInterface* a = QAccessible::queryAccessibleInterface(item);
                if (!a || a->text(QAccessible::Name).trimmed().isEmpty())
                    unnamed << QStringLiteral("%1 '%2'").arg(QLatin1String(item->metaObject()->className()), item->objectName());
            }
            QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(QStringLiteral(", "))));
        }

        // A Markdown-rich conversation, as if written earlier, to check the rendering.
        {
            ConversationStore store;
            store.open(options().databasePath);
            const qint64 c = store.createConversation(QStringLiteral("demo"));
            store.renameConversation(c, QStringLiteral("Markdown sample"), false);
            MessageRecord m;
            m.conversationId = c;
            m.role = QStringLiteral("user");
            m.content = QStringLiteral("Show me some **Markdown**, please.");
            m.parentId = store.addMessage(m);
            m.role = QStringLiteral("assistant");
            m.content = QStringLiteral(
                "## Zebras\n\nZebras are *striped* horses. Facts:\n\n1. They live in **Africa**\n2. Each pattern is unique\n\n"
                "| Species | Stripes |\n|---|---|\n| Plains | broad |\n| Grévy's | narrow |\n\nCount them with `count_stripes()`:\n\n"
                "```python\ndef count_stripes(zebra):\n    return len(zebra.stripes)\n```\n");
            m.tokenCount = 87;
            m.tokensPerSecond = 41.5;
            store.setCurrentLeaf(c, store.addMessage(m));
        }

        // Quit and start again: the conversation is still there. This time the engine runs at
        // full speed, to measure how long the GUI thread can stall while a reply streams.
        AppOptions fast = options();
        fast.worker.tokenDelayMsForTesting = 0;
        TernApplication app(fast);
        QVERIFY(app.start());
        QVERIFY(QTest::qWaitForWindowExposed(app.window()));
        QCOMPARE(app.history()->conversations()->rowCount(), 2);
        const int row = app.history()->conversations()->rowOf(conversation);
        QVERIFY(row >= 0);
        QCOMPARE(app.history()->conversations()->data(app.history()->conversations()->index(row), ConversationListModel::TitleRole).toString(),
                 QStringLiteral("Tell me a story about a cat"));
        app.chat()->selectConversation(conversation);
        QCOMPARE(app.chat()->messages()->rowCount(), 2);
        QVERIFY(app.chat()->messages()->data(app.chat()->messages()->index(1), MessageListModel::VersionIndexRole).toInt() >= 2);

        // Keyboard: Ctrl+N starts a new chat, Ctrl+Tab / Ctrl+Shift+Tab walk the list.
        app.window()->requestActivate();
        QTest::keyClick(app.window(), Qt::Key_N, Qt::ControlModifier);
        QCOMPARE(app.chat()->conversationId(), qint64(0));
        QCOMPARE(app.chat()->messages()->rowCount(), 0);
        QTest::keyClick(app.window(), Qt::Key_Tab, Qt::ControlModifier);
        QCOMPARE(app.chat()->conversationId(), app.history()->conversations()->idAt(0));
        QTest::keyClick(app.window(), Qt::Key_Tab, Qt::ControlModifier);
        QCOMPARE(app.chat()->conversationId(), app.history()->conversations()->idAt(1));
        QTest::keyClick(app.window(), Qt::Key_Backtab, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(app.chat()->conversationId(), app.history()->conversations()->idAt(0));
        QVERIFY(waitFor([&] { return app.models()->loaded(); }, 60000));
        themeOf(app.qmlEngine())->setMode(1);
        shot(app, QStringLiteral("06-markdown-light"));
        themeOf(app.qmlEngine())->setMode(2);
        shot(app, QStringLiteral("07-markdown-dark"));

        {
            QElapsedTimer clock;
            clock.start();
            qint64 last = 0, longest = 0;
            int ticks = 0;
            QTimer probe;
            probe.setInterval(2);
            connect(&probe, &QTimer::timeout, [&] {
                const qint64 now = clock.elapsed();
                if (ticks++) longest = std::max(longest, now - last);
                last = now;
            });
            app.chat()->newConversation();
            QVERIFY(app.chat()->send(QStringLiteral("once upon a time")));
            probe.start();
            QVERIFY(waitFor([&] { return !app.chat()->generating(); }, 120000));
            probe.stop();
            const QModelIndex reply = app.chat()->messages()->index(1);
            qInfo("responsiveness: %d tokens at %.1f tok/s; longest GUI event-loop stall %lld ms (%d probe ticks)",
                  reply.data(MessageListModel::TokenCountRole).toInt(), reply.data(MessageListModel::TokensPerSecondRole).toDouble(),
                  (long long)longest, ticks);
            QVERIFY2(longest < 250, "the GUI thread stalled");
            shot(app, QStringLiteral("09-full-speed-reply-light"));
        }

        app.history()->setSearchQuery(QStringLiteral("stripes"));
        QVERIFY(app.history()->searchResults()->rowCount() >= 1);
        themeOf(app.qmlEngine())->setMode(1);
        shot(app, QStringLiteral("08-search-light"));
        const QModelIndex hit = app.history()->searchResults()->index(0);
        const int at = app.chat()->revealMessage(hit.data(SearchResultsListModel::ConversationIdRole).toLongLong(),
                                                 hit.data(SearchResultsListModel::MessageIdRole).toLongLong());
        QVERIFY(at >= 0);

        themeOf(app.qmlEngine())->setMode(2);
        click(app.window(), findVisible(app.window(), "settingsButton"));
        QVERIFY(waitFor([&] { return findVisible(app.window(), "systemPromptField") != nullptr; }));
        shot(app, QStringLiteral("10-settings-dark"));
        themeOf(app.qmlEngine())->setMode(1);
        shot(app, QStringLiteral("11-settings-light"));
        QTest::keyClick(app.window(), Qt::Key_Escape);
    }

    // Issue 16 #2 and #3: every width the window allows is usable, and notices never take the
    // conversation's room.
    void smallWindowsKeepEveryControlInside() {
        QSettings().remove(QStringLiteral("session"));
        TernApplication app(options(QStringLiteral("small.sqlite3")));
        QVERIFY(app.start());
        QVERIFY(QTest::qWaitForWindowExposed(app.window()));
        QVERIFY(waitFor([&] { return app.models()->loaded(); }, 60000));
        QQuickWindow* w = app.window();
        QCOMPARE(w->minimumSize(), QSize(640, 420));
        for (const QSize size : {QSize(640, 420), QSize(720, 600)}) {
            w->resize(size);
            QVERIFY(waitFor([&] { return w->size() == size; }));
            QTest::qWait(100);  // layouts settle
            for (const char* name : {"composerInput", "sendButton", "modelPicker", "chatTitle", "sidebarButton", "exportButton|moreButton",
                                     "settingsButton|moreButton", "statusText"}) {
                const QStringList alternatives = QString::fromLatin1(name).split(QLatin1Char('|'));
                bool inside = false;
                for (const QString& a : alternatives) inside |= insideWindow(w, findVisible(w, a.toLatin1().constData()));
                QVERIFY2(inside, qPrintable(QStringLiteral("%1 at %2x%3").arg(QLatin1String(name)).arg(size.width()).arg(size.height())));
            }
            QVERIFY2(!findVisible(w, "sidebar"), "a narrow window starts with the conversation list folded away");

            // Four long notices: capped at a quarter of the chat column, the conversation keeps the rest.
            for (int i = 0; i < 4; ++i)
                app.notices()->postGlobal(QStringLiteral("Problem %1").arg(i), QString(400, QLatin1Char('x')).replace(QLatin1Char('x'), QStringLiteral("word ")));
            QTest::qWait(100);
            QQuickItem* area = findVisible(w, "noticeArea");
            QQuickItem* column = findVisible(w, "chatColumn");
            QVERIFY(area && column);
            QVERIFY2(area->height() <= column->height() / 4 + 1, qPrintable(QString::number(area->height())));
            QVERIFY(insideWindow(w, findVisible(w, "sendButton")));
            // The empty chat's model card scrolls inside the chat view instead of spilling over
            // the toolbar and the notices.
            QQuickItem* view = findVisible(w, "modelCardView");
            QVERIFY(view && view->clip());
            QVERIFY(view->mapRectToScene(QRectF(0, 0, view->width(), view->height())).top() >= findVisible(w, "chatTitle")->mapRectToScene(QRectF(0, 0, 1, 1)).bottom());
            themeOf(app.qmlEngine())->setMode(1);
            shot(app, QStringLiteral("20-%1x%2-notices-light").arg(size.width()).arg(size.height()));
            themeOf(app.qmlEngine())->setMode(2);
            shot(app, QStringLiteral("21-%1x%2-notices-dark").arg(size.width()).arg(size.height()));
            for (const Notice& n : app.notices()->all()) app.notices()->dismiss(n.id);

            // The sidebar can be brought back, and the composer still fits beside it.
            click(w, findVisible(w, "sidebarButton"));
            QVERIFY(findVisible(w, "sidebar"));
            QTest::qWait(100);
            for (const char* name : {"composerInput", "sendButton", "moreButton", "newChatButton", "modelPicker"})
                QVERIFY2(insideWindow(w, findVisible(w, name)), name);
            shot(app, QStringLiteral("22-%1x%2-sidebar-light").arg(size.width()).arg(size.height()));
            click(w, findVisible(w, "sidebarButton"));
        }
        // A wide window has room for every action in the toolbar.
        w->resize(1180, 760);
        QVERIFY(waitFor([&] { return w->width() == 1180; }));
        QTest::qWait(100);
        QVERIFY(findVisible(w, "sidebar"));
        QVERIFY(insideWindow(w, findVisible(w, "settingsButton")));
        QVERIFY(!findVisible(w, "moreButton"));
    }

    // Issue 16 #4 (and #3): one chat writing leaves the others free; a message sent elsewhere
    // waits visibly and runs next; notices stay with their chat.
    void busyStateAndNoticesArePerChat() {
        QSettings().remove(QStringLiteral("session"));
        AppOptions slow = options(QStringLiteral("busy.sqlite3"));
        slow.worker.tokenDelayMsForTesting = 40;  // the first reply is still being written while the test types
        TernApplication app(slow);
        QVERIFY(app.start());
        QVERIFY(QTest::qWaitForWindowExposed(app.window()));
        QVERIFY(waitFor([&] { return app.models()->loaded(); }, 60000));
        app.models()->load(chatModel_);  // streams long replies whatever the prompt
        QVERIFY(waitFor([&] { return app.models()->loaded() && app.models()->info().path == chatModel_; }, 60000));
        QQuickWindow* w = app.window();
        w->requestActivate();
        typeText(w, "the first chat");
        QTest::keyClick(w, Qt::Key_Return);
        QVERIFY(app.chat()->generating());
        const qint64 first = app.chat()->conversationId();
        MessageListModel* list = app.chat()->messages();
        // A sampled reply can end by itself at once: regenerate until one is still being written.
        for (int attempt = 0; attempt < 6; ++attempt) {
            QVERIFY(waitFor([&] { return list->contentAt(1).size() >= 8 || !app.chat()->generating(); }));
            if (app.chat()->generating()) break;
            app.chat()->regenerate(list->data(list->index(1), MessageListModel::MessageIdRole).toLongLong());
        }
        QVERIFY2(app.chat()->generating(), "every reply ended by itself");
        app.notices()->postForConversation(first, QStringLiteral("About the first chat"), QStringLiteral("detail"));

        QTest::keyClick(w, Qt::Key_N, Qt::ControlModifier);
        QVERIFY(!app.chat()->generating());
        QVERIFY(findVisible(w, "sendButton"));
        QVERIFY2(!findVisible(w, "notice"), "the first chat's notice does not follow into the new one");
        typeText(w, "the second chat");
        QTest::keyClick(w, Qt::Key_Return);
        const qint64 second = app.chat()->conversationId();
        QVERIFY2(second != 0 && second != first, "Enter sent the message");
        if (!app.chat()->busy(first)) QSKIP("the first reply ended by itself while the second message was typed");
        QVERIFY(app.chat()->waiting());
        QVERIFY(findVisible(w, "waitingNote"));
        QVERIFY(findVisible(w, "stopButton"));
        QTest::qWait(100);
        QStringList activity = visibleTexts(w, "conversationActivity");
        activity.sort();
        QCOMPARE(activity, (QStringList{QStringLiteral("waiting"), QStringLiteral("writing…")}));
        QVERIFY(findVisible(w, "statusText")->property("text").toString().contains(QStringLiteral("waiting for another chat")));
        shot(app, QStringLiteral("23-second-chat-waiting-light"));

        // The first chat finishing (stopped here) starts the second.
        app.chat()->selectConversation(first);
        QVERIFY(findVisible(w, "notice"));
        QVERIFY(!app.chat()->waiting());
        QTest::keyClick(w, Qt::Key_Escape);
        QVERIFY(waitFor([&] { return !app.chat()->generating(); }, 5000));
        QVERIFY(waitFor([&] { return app.chat()->busyConversations().value(QString::number(second)) == QStringLiteral("writing"); }));
        app.chat()->selectConversation(second);
        QVERIFY(waitFor([&] { return app.chat()->messages()->contentAt(1).size() > 0; }));
        QTest::keyClick(w, Qt::Key_Escape);
        QVERIFY(waitFor([&] { return app.chat()->busyConversations().isEmpty(); }, 5000));
    }

    // Issue 16 #8, #9, #12: rename reaches the header and title; export proposes a name in
    // Documents and saves on Enter; drafts, the open chat and the window size survive a restart.
    void renameExportDraftsAndRestart() {
        QSettings().remove(QStringLiteral("session"));
        const QString history = QStringLiteral("restart.sqlite3");
        QTemporaryDir exportDir;
        qint64 conv = 0;
        {
            TernApplication app(options(history));
            QVERIFY(app.start());
            QQuickWindow* w = app.window();
            QVERIFY(QTest::qWaitForWindowExposed(w));
            QVERIFY(waitFor([&] { return app.models()->loaded(); }, 60000));
            w->requestActivate();
            typeText(w, "zebra facts");
            QTest::keyClick(w, Qt::Key_Return);
            conv = app.chat()->conversationId();
            QVERIFY(conv);
            QVERIFY(waitFor([&] { return !app.chat()->generating(); }, 60000));

            app.history()->rename(conv, QStringLiteral("Zebra notes"));
            QCOMPARE(findVisible(w, "chatTitle")->property("text").toString(), QStringLiteral("Zebra notes"));
            QCOMPARE(w->title(), QStringLiteral("Zebra notes — Tern"));

            QObject* dialog = w->findChild<QObject*>(QStringLiteral("exportDialog"));
            QVERIFY(dialog);
            for (int round = 0; round < 2; ++round) {
                QMetaObject::invokeMethod(dialog, "openFor", Q_ARG(QVariant, QVariant(conv)), Q_ARG(QVariant, QStringLiteral("markdown")));
                QVERIFY(waitFor([&] { return dialog->property("opened").toBool(); }));
                QCOMPARE(findVisible(w, "exportFileName")->property("text").toString(), QStringLiteral("Zebra notes.md"));
                QCOMPARE(dialog->property("folder").toUrl(), app.exporter()->defaultFolder());
                QStringList buttons;
                for (QQuickItem* item : allItems(w))
                    if (item->inherits("QQuickAbstractButton") && item->isVisible()) buttons << item->property("text").toString();
                QVERIFY2(buttons.contains(QStringLiteral("Save")), qPrintable(buttons.join(QLatin1Char(','))));
                if (round == 0) shot(app, QStringLiteral("24-export-dialog-light"));
                dialog->setProperty("folder", QUrl::fromLocalFile(exportDir.path()));  // not the real Documents
                QTest::keyClick(w, Qt::Key_Return);
                QVERIFY(waitFor([&] { return !dialog->property("visible").toBool(); }));
            }
            QVERIFY(QFile::exists(exportDir.filePath(QStringLiteral("Zebra notes.md"))));
            QCOMPARE(app.noticeList()->rowCount(), 1);  // two exports, one card
            QCOMPARE(app.noticeList()->data(app.noticeList()->index(0), NoticeListModel::CountRole).toInt(), 2);

            // A draft stays with its chat.
            findVisible(w, "composerInput")->forceActiveFocus();
            typeText(w, "unsent words");
            QTest::keyClick(w, Qt::Key_N, Qt::ControlModifier);
            QCOMPARE(findVisible(w, "composerInput")->property("text").toString(), QString());
            app.chat()->selectConversation(conv);
            QCOMPARE(findVisible(w, "composerInput")->property("text").toString(), QStringLiteral("unsent words"));
            w->resize(900, 650);
            QVERIFY(waitFor([&] { return w->size() == QSize(900, 650); }));
        }
        TernApplication app(options(history));
        QVERIFY(app.start());
        QVERIFY(QTest::qWaitForWindowExposed(app.window()));
        QCOMPARE(app.chat()->conversationId(), conv);
        QCOMPARE(findVisible(app.window(), "composerInput")->property("text").toString(), QStringLiteral("unsent words"));
        QCOMPARE(app.window()->size(), QSize(900, 650));
        QVERIFY(insideWindow(app.window(), findVisible(app.window(), "modelsButton")));  // room for the actions beside the list
        app.chat()->setDraft(QString());
        app.window()->resize(1180, 760);  // the next test starts at the usual size
    }

    // The Models page as users meet it: open it from the toolbar, download a catalog model from
    // a real local HTTP server, use it, then delete it again.
    void modelsPageDownloadUseDelete() {
        if (!TERN_TEST_HAVE_BUSYBOX) QSKIP("no busybox here for the test's HTTP server (see the configure warning)");
        tern_app_test::ServedModel served(dir_.filePath(QStringLiteral("served")), defaultModel_);
        QString error;
        QVERIFY2(served.start(&error), qPrintable(error));

        AppOptions o = options();
        o.catalogPath = served.catalogPath();
        o.modelPath = defaultModel_;
        TernApplication app(o);
        QVERIFY(app.start());
        QVERIFY(QTest::qWaitForWindowExposed(app.window()));
        QVERIFY(waitFor([&] { return app.models()->loaded(); }, 60000));
        themeOf(app.qmlEngine())->setMode(1);

        click(app.window(), findVisible(app.window(), "modelsButton"));
        QVERIFY(waitFor([&] { return findVisible(app.window(), "downloadButton") != nullptr; }));
        shot(app, QStringLiteral("12-models-light"));
        click(app.window(), findVisible(app.window(), "downloadButton"));
        const QString installed = o.modelsDir + QStringLiteral("/story-writer.gguf");
        QVERIFY(waitFor([&] { return app.models()->models()->rowOfPath(installed) >= 0; }, 60000));
        themeOf(app.qmlEngine())->setMode(2);
        shot(app, QStringLiteral("13-models-installed-dark"));
        themeOf(app.qmlEngine())->setMode(1);

        // Use it: the row's Use button loads it in the engine.
        const int row = app.models()->models()->rowOfPath(installed);
        QQuickItem* use = nullptr;
        for (QQuickItem* item : allItems(app.window()))
            if (item->objectName() == QLatin1String("useButton") && item->isVisible() && item->isEnabled()) use = item;
        QVERIFY(use);
        click(app.window(), use);
        QVERIFY(waitFor([&] { return app.models()->loaded() && app.models()->currentIndex() == row; }, 60000));

        // Delete it: confirm in the dialog; the file is gone and the built-in model is back.
        click(app.window(), findVisible(app.window(), "removeButton"));
        QObject* confirm = app.window()->findChild<QObject*>(QStringLiteral("removeDialog"));
        QVERIFY(confirm);
        QVERIFY(waitFor([&] { return confirm->property("opened").toBool(); }));
        shot(app, QStringLiteral("14-models-delete-light"));
        QMetaObject::invokeMethod(confirm, "accept");
        QVERIFY(waitFor([&] { return !QFile::exists(installed); }));
        QVERIFY(waitFor([&] { return app.models()->loaded() && app.models()->currentIsDefault(); }, 60000));
        QTest::keyClick(app.window(), Qt::Key_Escape);
    }

    // Issue 16 #11: a first message in Markdown gives a plain title, in the toolbar and the list.
    void markdownFirstMessageGivesAPlainTitle() {
        QSettings().remove(QStringLiteral("session"));
        TernApplication app(options(QStringLiteral("titles.sqlite3")));
        QVERIFY(app.start());
        QQuickWindow* w = app.window();
        QVERIFY(QTest::qWaitForWindowExposed(w));
        QVERIFY(waitFor([&] { return app.models()->loaded(); }, 60000));
        w->requestActivate();
        typeText(w, "## Trip **plan** #");
        QTest::keyClick(w, Qt::Key_Return);
        const bool titled = waitFor([&] { return findVisible(w, "chatTitle") && findVisible(w, "chatTitle")->property("text").toString() == QStringLiteral("Trip plan"); });
        QVERIFY2(titled, qPrintable(app.chat()->title() + QStringLiteral(" / ") + (findVisible(w, "chatTitle") ? findVisible(w, "chatTitle")->property("text").toString() : QStringLiteral("no title item"))));
        QCOMPARE(app.history()->conversations()->index(0).data(ConversationListModel::TitleRole).toString(), QStringLiteral("Trip plan"));
        if (app.chat()->generating()) QTest::keyClick(w, Qt::Key_Escape);
        QVERIFY(waitFor([&] { return !app.chat()->generating(); }));
    }

    // Issue 16 #5, #10, #11: errors show on the Models page where the user is; a model that
    // failed to load is not "in use" anywhere; "opens at start" names the model that opens;
    // models added by tern-models appear at once; drop-downs are readable; the theme box is whole.
    void modelsPageTellsTheTruth() {
        QSettings().remove(QStringLiteral("session"));
        AppOptions o = options(QStringLiteral("models-truth.sqlite3"));
        o.modelsDir = dir_.filePath(QStringLiteral("models-truth"));
        QVERIFY(QDir().mkpath(o.modelsDir));
        AppSettings().setLastModel(chatModel_);  // used last: it, not the built-in model, opens
        TernApplication app(o);
        QVERIFY(app.start());
        QQuickWindow* w = app.window();
        QVERIFY(QTest::qWaitForWindowExposed(w));
        QVERIFY(waitFor([&] { return app.models()->loaded(); }, 60000));
        themeOf(app.qmlEngine())->setMode(1);
        click(w, findVisible(w, "modelsButton"));
        QVERIFY(waitFor([&] { return findVisible(w, "importButton") != nullptr; }));

        // "Opens at start" is on the model that opened, not on the built-in one.
        const QString tinyName = app.models()->currentName();
        QVERIFY(waitFor([&] { return installedRow(w, tinyName) != nullptr; }));
        QVERIFY(childNamed(installedRow(w, tinyName), "details")->property("text").toString().contains(QStringLiteral("opens at start")));
        if (!defaultModel_.isEmpty()) {
            const QString builtInName = app.models()->models()->entryAt(0)->name;
            QVERIFY(!childNamed(installedRow(w, builtInName), "details")->property("text").toString().contains(QStringLiteral("opens at start")));
        }

        // A renamed text file: the import error shows on the page, not behind it.
        const QString notes = dir_.filePath(QStringLiteral("notes.gguf"));
        {
            QFile f(notes);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("These are my notes, not a model.\n");
        }
        app.modelManager()->importModel(QUrl::fromLocalFile(notes), true);  // what the file dialog's choice calls
        auto pageNoticeTitles = [&] {
            QStringList titles;
            if (QQuickItem* area = findVisible(w, "modelsNotices"))
                for (QQuickItem* item : [&] { QVector<QQuickItem*> v; collect(area, v); return v; }())
                    if (item->objectName() == QLatin1String("notice") && item->isVisible() && insideWindow(w, item))
                        titles << item->property("noticeTitle").toString();
            return titles;
        };
        QVERIFY(waitFor([&] { return pageNoticeTitles().contains(QStringLiteral("The model could not be imported")); }));
        shot(app, QStringLiteral("30-models-import-error-light"));
        for (const Notice& n : app.notices()->all()) app.notices()->dismiss(n.id);

        // A model file cut short, put in the folder by another program: it appears while the app
        // runs; Use fails, and the page, the picker and the status line agree that nothing is in use.
        const QString cut = o.modelsDir + QStringLiteral("/cut-short.gguf");
        {
            QFile in(chatModel_);
            QVERIFY(in.open(QIODevice::ReadOnly));
            const QByteArray bytes = in.readAll();
            QFile f(cut);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bytes.left(bytes.size() / 2));
        }
        QVERIFY(waitFor([&] { return installedRow(w, QStringLiteral("cut-short")) != nullptr; }, 10000));
        click(w, childNamed(installedRow(w, QStringLiteral("cut-short")), "useButton"));
        QVERIFY(waitFor([&] { return !app.models()->loading() && app.models()->failedIndex() >= 0; }, 60000));
        QTest::qWait(100);
        const QString details = childNamed(installedRow(w, QStringLiteral("cut-short")), "details")->property("text").toString();
        QVERIFY2(details.contains(QStringLiteral("could not be loaded")), qPrintable(details));
        QStringList inUse;
        for (QQuickItem* item : allItems(w))
            if (item->objectName() == QLatin1String("details") && item->isVisible() &&
                item->property("text").toString().contains(QStringLiteral("in use")))
                inUse << item->property("text").toString();
        QVERIFY2(inUse.isEmpty(), qPrintable(inUse.join(QLatin1Char('|'))));
        QCOMPARE(findVisible(w, "modelPicker")->property("displayText").toString(), QStringLiteral("Choose a model"));
        QVERIFY(visibleTexts(w, "statusText").join(QString()).contains(QStringLiteral("No model loaded")));
        QVERIFY(waitFor([&] { return pageNoticeTitles().contains(QStringLiteral("The model could not be loaded")); }));
        shot(app, QStringLiteral("31-models-load-failed-light"));
        themeOf(app.qmlEngine())->setMode(2);
        shot(app, QStringLiteral("32-models-load-failed-dark"));
        {  // switched to dark while the page was open, its buttons are dark too
            QObject* palette = findVisible(w, "importButton")->property("palette").value<QObject*>();
            QVERIFY(palette);
            QCOMPARE(palette->property("button").value<QColor>(), themeOf(app.qmlEngine())->control());
            // and a disabled one still looks disabled
            QQuickItem* startButton = childNamed(installedRow(w, tinyName), "startModelButton");
            QVERIFY(startButton && !startButton->isEnabled());
            auto* label = startButton->property("contentItem").value<QQuickItem*>();
            QCOMPARE(label->property("color").value<QColor>(), themeOf(app.qmlEngine())->mutedText());
        }
        themeOf(app.qmlEngine())->setMode(1);

        // tern-models adds a model while the app runs, then removes it.
        tern::modelstore::ModelLibrary tool(o.modelsDir);
        QString error;
        tern::modelstore::InstalledModel added;
        QVERIFY2(tool.importFile(chatModel_, tern::modelstore::ModelLibrary::ImportMode::Copy, &error, &added), qPrintable(error));
        QVERIFY(waitFor([&] { return installedRow(w, added.name) != nullptr && app.models()->models()->rowOfPath(added.path) >= 0; }, 10000));
        QVERIFY(tool.remove(added.path, &error));
        QVERIFY(waitFor([&] { return app.models()->models()->rowOfPath(added.path) < 0; }, 10000));
        QTest::keyClick(w, Qt::Key_Escape);
        QVERIFY(waitFor([&] { return findVisible(w, "importButton") == nullptr; }));

        // Drop-downs: the highlighted entry is readable in both themes, and the theme box shows
        // its whole text.
        for (const int mode : {1, 2}) {
            themeOf(app.qmlEngine())->setMode(mode);
            QQuickItem* picker = findVisible(w, "modelPicker");
            const double ratio = highlightedEntryContrast(w, picker);
            QVERIFY2(ratio >= 4.5, qPrintable(QStringLiteral("model picker, theme %1: contrast %2").arg(mode).arg(ratio)));
            shot(app, QStringLiteral("33-picker-open-%1").arg(mode == 1 ? QStringLiteral("light") : QStringLiteral("dark")));
            closeList(picker);
        }
        click(w, findVisible(w, "settingsButton"));
        QObject* settings = w->findChild<QObject*>(QStringLiteral("settingsDialog"));
        QVERIFY(settings && waitFor([&] { return settings->property("opened").toBool(); }));
        QQuickItem* themeBox = findVisible(w, "themeBox");
        QVERIFY(themeBox);
        themeOf(app.qmlEngine())->setMode(0);  // the box shows its longest choice, "Follow the system"
        QVERIFY(waitFor([&] { return themeBox->property("displayText").toString() == QStringLiteral("Follow the system"); }));
        QTest::qWait(50);  // the layout settles
        auto* field = themeBox->property("contentItem").value<QQuickItem*>();
        QVERIFY(field);
        const double room = field->width() - field->property("leftPadding").toDouble() - field->property("rightPadding").toDouble();
        QVERIFY2(field->property("contentWidth").toDouble() <= room + 0.5,
                 qPrintable(QStringLiteral("%1 of text in %2").arg(field->property("contentWidth").toDouble()).arg(room)));
        for (const int mode : {1, 2}) {
            themeOf(app.qmlEngine())->setMode(mode);
            const double ratio = highlightedEntryContrast(w, themeBox);
            QVERIFY2(ratio >= 4.5, qPrintable(QStringLiteral("theme box, theme %1: contrast %2").arg(mode).arg(ratio)));
            shot(app, QStringLiteral("34-theme-box-open-%1").arg(mode == 1 ? QStringLiteral("light") : QStringLiteral("dark")));
            closeList(themeBox);
        }
        QMetaObject::invokeMethod(settings, "close");
    }
};

QTEST_MAIN(EndToEnd)
#include "tst_e2e.moc"
