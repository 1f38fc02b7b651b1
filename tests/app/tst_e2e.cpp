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
#include "engine/default_model.h"

#include <QAccessible>
#include <QDir>
#include <QFileInfo>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QtTest>

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
    AppOptions options() const {
        AppOptions o;
        o.databasePath = dir_.filePath(QStringLiteral("history.sqlite3"));
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
        const int at = app.chat()->revealMessage(hit.data(SearchResultsModel::ConversationIdRole).toLongLong(),
                                                 hit.data(SearchResultsModel::MessageIdRole).toLongLong());
        QVERIFY(at >= 0);

        themeOf(app.qmlEngine())->setMode(2);
        click(app.window(), findVisible(app.window(), "settingsButton"));
        QVERIFY(waitFor([&] { return findVisible(app.window(), "systemPromptField") != nullptr; }));
        shot(app, QStringLiteral("10-settings-dark"));
        themeOf(app.qmlEngine())->setMode(1);
        shot(app, QStringLiteral("11-settings-light"));
        QTest::keyClick(app.window(), Qt::Key_Escape);
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
};

QTEST_MAIN(EndToEnd)
#include "tst_e2e.moc"
