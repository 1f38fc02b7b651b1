// End to end, the history: rename, export, drafts across a restart, and the title a first message
// in Markdown gives.
#include "e2e_fixture.h"

using namespace tern::app;
using namespace tern_app_test::e2e;
using tern_app_test::waitFor;

class HistoryEndToEnd : public Fixture {
    Q_OBJECT

private slots:
    void initTestCase() { setUpFixture(); }

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
};

QTEST_MAIN(HistoryEndToEnd)
#include "tst_e2e_history.moc"
