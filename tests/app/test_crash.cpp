// Crash safety: a child process chats through the real controller, worker and engine and is
// killed with SIGKILL mid-reply. The database must open cleanly with the user's message and the
// reply as far as it had been written.
#include <catch2/catch.hpp>

#include "controller_fixture.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>

using namespace tern::app;

int runStreamingChild(const char* db, const char* model) {
    ConversationStore store;
    store.open(QString::fromLocal8Bit(db));
    WorkerOptions o;
    o.tokenDelayMsForTesting = 5;
    WorkerThread thread(o);
    AppSettings settings;
    GenerationSettings g;
    g.temperature = 0;
    g.maxTokens = 0;  // until the context is full: seconds, the parent kills us long before
    settings.setGeneration(g);
    tern::modelstore::ModelLibrary library(QFileInfo(QString::fromLocal8Bit(db)).absolutePath() + QStringLiteral("/models"));
    ModelController models(thread.worker(), &settings, &library);
    ChatController chat(&store, thread.worker(), &models, &settings);
    QObject::connect(&models, &ModelController::modelReady, &chat, [&] { chat.send(QStringLiteral("Crash test question")); });
    models.start({}, {}, QString::fromLocal8Bit(model));
    return QCoreApplication::exec();
}

TEST_CASE("killing the app mid-reply loses nothing the user typed and at most a moment of the reply", "[crash]") {
    QTemporaryDir dir;
    const QString path = dir.filePath("history.sqlite3");
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedChannels);
    child.start(QCoreApplication::applicationFilePath(), {"--child-stream", path, tern_app_test::tinyModelPath()});
    REQUIRE(child.waitForStarted());

    QString partial;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("watch"));
        db.setDatabaseName(path);
        // Wait until the child has written part of the reply, then kill it without warning.
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 30000) {
            if (QFile::exists(path) && db.open()) {
                QSqlQuery q(db);
                if (q.exec("SELECT content FROM messages WHERE role = 'assistant'") && q.next() && q.value(0).toString().size() >= 20) {
                    partial = q.value(0).toString();
                    break;
                }
            }
            QThread::msleep(20);
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("watch"));
    REQUIRE(partial.size() >= 20);
    REQUIRE(child.state() == QProcess::Running);  // still generating: the kill lands mid-reply
    child.kill();  // SIGKILL
    REQUIRE(child.waitForFinished());
    CHECK(child.exitStatus() == QProcess::CrashExit);

    ConversationStore store;
    const OpenReport r = store.open(path);
    REQUIRE(r.status == OpenReport::Ok);
    QSqlQuery check(store.database());
    REQUIRE(check.exec("PRAGMA integrity_check"));
    REQUIRE(check.next());
    CHECK(check.value(0).toString() == "ok");
    const QVector<ConversationRecord> convs = store.conversations();
    REQUIRE(convs.size() == 1);
    CHECK(convs[0].title == "Crash test question");
    const QVector<MessageRecord> msgs = store.messages(convs[0].id);
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[0].content == "Crash test question");
    CHECK(msgs[1].state == MessageState::Interrupted);
    CHECK(msgs[1].content.startsWith(partial));  // at least what we saw before the kill
    CHECK(store.search("crash").size() >= 1);
}
