// End to end, chatting: type, Enter, watch tokens stream, Esc, Regenerate, quit, start again and
// find the conversation; a reply that waits behind another chat's. Screenshots of the main states,
// light and dark.
#include "e2e_fixture.h"

using namespace tern::app;
using namespace tern_app_test::e2e;
using tern_app_test::waitFor;

class ChatEndToEnd : public Fixture {
    Q_OBJECT

private slots:
    void initTestCase() { setUpFixture(); }

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
};

QTEST_MAIN(ChatEndToEnd)
#include "tst_e2e_chat.moc"
