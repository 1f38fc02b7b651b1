// The real app (TernApplication, Main.qml) on a history it cannot write: it starts, lists and
// opens the conversations, and says the history is read-only, rather than aborting. And the
// `tern` executable under a file-size limit: writes fail with EFBIG instead of SIGXFSZ killing it.
#include "app/chat_controller.h"
#include "app/conversation_store.h"
#include "app/history_controller.h"
#include "app/tern_application.h"
#include "app_test_support.h"
#include "fault_fs.h"

#include <QDir>
#include <QProcess>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QtTest>
#include <csignal>
#include <sys/resource.h>

using namespace tern::app;

class HistoryFaults : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        tern_app_test::isolateUserFolders();
        TernApplication::setIdentity();
        QQuickStyle::setStyle(QStringLiteral("Basic"));
    }

    void readOnlyHistoryOpensListedWithANotice() {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("data"));
        QDir().mkpath(dir);
        const QString db = dir + QStringLiteral("/history.sqlite3");
        qint64 zebras = 0;
        {
            ConversationStore store;
            QCOMPARE(store.open(db).status, OpenReport::Ok);
            zebras = store.createConversation(QStringLiteral("m"));
            store.renameConversation(zebras, QStringLiteral("Zebras"), false);
            MessageRecord m;
            m.conversationId = zebras;
            m.role = QStringLiteral("user");
            m.content = QStringLiteral("tell me about zebras");
            store.setCurrentLeaf(zebras, store.addMessage(m));
            store.createConversation(QStringLiteral("m"));
        }
        // The history file read-only, its folder writable: the case that aborted the app at start
        // (a read-only bind mount as root, the permission bits otherwise; see fault_fs.h).
        tern_app_test::FaultFs fs;
        QVERIFY2(fs.makeReadOnly(db), qPrintable(fs.why()));

        AppOptions o;
        o.databasePath = db;
        o.modelsDir = tmp.filePath(QStringLiteral("models"));
        o.findDefaultModel = false;
        TernApplication app(o);
        QVERIFY(app.start());
        QVERIFY(QTest::qWaitForWindowExposed(app.window()));
        QVERIFY(app.history()->readOnly());
        QCOMPARE(app.history()->conversations()->rowCount(), 2);
        app.chat()->selectConversation(zebras);
        QCOMPARE(app.chat()->messages()->rowCount(), 1);
        QCOMPARE(app.chat()->messages()->contentAt(0), QStringLiteral("tell me about zebras"));

        bool told = false;
        for (const QVariant& n : app.chat()->notices()) {
            const QVariantMap notice = n.toMap();
            if (notice.value(QStringLiteral("title")).toString() != QLatin1String("History is read-only")) continue;
            told = notice.value(QStringLiteral("detail")).toString().contains(QLatin1String("read and export"));
        }
        QVERIFY2(told, "no read-only notice");
        QQuickItem* note = app.window()->findChild<QQuickItem*>(QStringLiteral("historyNotSavedNote"));
        QVERIFY(note);
        QVERIFY(note->isVisible());
        QVERIFY(note->property("text").toString().contains(QLatin1String("read-only")));
    }

    void fileSizeLimitDoesNotKillTheApp() {
        QTemporaryDir tmp;
        QProcess tern;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("QT_QUICK_BACKEND"), QStringLiteral("software"));
        for (const char* var : {"XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"})
            env.insert(QLatin1String(var), tmp.filePath(QLatin1String(var)));
        tern.setProcessEnvironment(env);
        tern.setChildProcessModifier([] {
            // The app must ignore SIGXFSZ itself: start it with the default action (death), not
            // with this test's disposition, and with no room to write any file at all.
            std::signal(SIGXFSZ, SIG_DFL);
            struct rlimit none {};
            ::getrlimit(RLIMIT_FSIZE, &none);
            none.rlim_cur = 0;
            ::setrlimit(RLIMIT_FSIZE, &none);
        });
        // --screenshot quits once the built-in model is loaded (or after 15 s without one).
        tern.start(QStringLiteral(TERN_APP_EXE), {QStringLiteral("--screenshot"), tmp.filePath(QStringLiteral("shot.png"))});
        QVERIFY(tern.waitForStarted());
        QVERIFY(tern.waitForFinished(120000));
        const QString err = QString::fromLocal8Bit(tern.readAllStandardError());
        QVERIFY2(tern.exitStatus() == QProcess::NormalExit, qPrintable(QStringLiteral("tern was killed: ") + err));
        QCOMPARE(tern.exitCode(), 0);
        // The failed write was handled, and said so.
        QVERIFY2(err.contains(QLatin1String("could not be created")), qPrintable(err));
    }
};

QTEST_MAIN(HistoryFaults)
#include "tst_history_faults.moc"
