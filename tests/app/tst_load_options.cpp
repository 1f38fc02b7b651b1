// Threads and context length are app-wide settings (Settings → All chats) applied when a model
// is next loaded: the real TernApplication wiring, without a window, on the tiny model.
#include "app/app_settings.h"
#include "app/model_controller.h"
#include "app/tern_application.h"
#include "app_test_support.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace tern::app;
using tern_app_test::waitFor;

class LoadOptions : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    // A windowless app on the tiny model with its own history and models folders (tag).
    AppOptions appOptions(const QString& tag) const {
        AppOptions o;
        o.databasePath = dir_.filePath(QStringLiteral("history%1.sqlite3").arg(tag));
        o.modelsDir = dir_.filePath(QStringLiteral("models%1").arg(tag));
        o.modelPath = tern_app_test::tinyModelPath();
        o.showWindow = false;
        return o;
    }

private slots:
    void initTestCase() {
        tern_app_test::isolateUserFolders();
        TernApplication::setIdentity();
    }

    void settingsAreStoredAndChecked() {
        AppSettings s;
        s.setContextSize(100);
        QCOMPARE(s.contextSize(), 256);  // too small for a prompt and a reply
        s.setContextSize(-5);
        QCOMPARE(s.contextSize(), 0);
        s.setThreads(3);
        QCOMPARE(AppSettings().threads(), 3);  // kept in QSettings
        s.setThreads(0);
    }

    void contextLengthAppliesAtTheNextLoad() {
        AppSettings().setContextSize(384);
        QCOMPARE(AppSettings().contextSize(), 384);
        TernApplication app(appOptions(QString()));
        QVERIFY(app.start());
        QVERIFY(waitFor([&] { return app.models()->loaded(); }, 60000));
        QCOMPARE(app.models()->contextSize(), 384);  // the setting, at start

        // Changed while a model is loaded: that model keeps its context...
        AppSettings* settings = app.findChild<AppSettings*>();
        QVERIFY(settings);
        QSignalSpy changed(settings, &AppSettings::loadOptionsChanged);
        settings->setContextSize(640);
        QCOMPARE(changed.count(), 1);
        QTest::qWait(50);
        QCOMPARE(app.models()->contextSize(), 384);
        // ...and the next load takes the new one (another file: the loaded one is not read again).
        const QString other = dir_.filePath(QStringLiteral("other.gguf"));
        QVERIFY(QFile::copy(tern_app_test::tinyModelPath(), other));
        app.models()->load(other);
        QVERIFY(waitFor([&] { return !app.models()->loading() && app.models()->contextSize() == 640; }, 60000));
        settings->setContextSize(0);
    }

    // Compact conversation memory: F16 KV caches from the next load on (replies from them: engine.chat).
    void compactCacheAppliesAtTheNextLoad() {
        QCOMPARE(AppSettings().compactCache(), false);  // exact caches unless asked
        TernApplication app(appOptions(QStringLiteral("2")));
        QVERIFY(app.start());
        QVERIFY(waitFor([&] { return app.models()->loaded(); }, 60000));
        QCOMPARE(app.models()->compactCache(), false);

        AppSettings* settings = app.findChild<AppSettings*>();
        QVERIFY(settings);
        QSignalSpy changed(settings, &AppSettings::loadOptionsChanged);
        settings->setCompactCache(true);
        settings->setCompactCache(true);  // no change, no signal
        QCOMPARE(changed.count(), 1);
        QCOMPARE(AppSettings().compactCache(), true);  // kept in QSettings
        QTest::qWait(50);
        QCOMPARE(app.models()->compactCache(), false);  // the loaded model keeps its caches
        const QString other = dir_.filePath(QStringLiteral("compact.gguf"));
        QVERIFY(QFile::copy(tern_app_test::tinyModelPath(), other));
        app.models()->load(other);
        QVERIFY(waitFor([&] { return !app.models()->loading() && app.models()->compactCache(); }, 60000));
        settings->setCompactCache(false);
    }
};

QTEST_MAIN(LoadOptions)
#include "tst_load_options.moc"
