// End to end, the window's layout: every width the window allows keeps every control inside.
#include "e2e_fixture.h"

using namespace tern::app;
using namespace tern_app_test::e2e;
using tern_app_test::waitFor;

class LayoutEndToEnd : public Fixture {
    Q_OBJECT

private slots:
    void initTestCase() { setUpFixture(); }

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
};

QTEST_MAIN(LayoutEndToEnd)
#include "tst_e2e_layout.moc"
