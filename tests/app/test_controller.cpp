// The chat controller end to end without a window: what reaches the database and when, stop,
// regenerate, edit-as-branch, version switching, errors shown as notices (scoped to their chat),
// per-chat busy state with a queue, drafts and per-chat settings.
#include <catch2/catch.hpp>

#include "controller_fixture.h"
#include "engine/model/default_model.h"

#include <QFile>
#include <QSqlQuery>
#include <QUrl>
#include <QTemporaryDir>

using namespace tern::app;
using tern_app_test::ChatRig;
using tern_app_test::waitFor;

namespace {
// Reads the reply row as another process would see it: through its own connection.
struct Peek {
    explicit Peek(const QString& path) : name(QStringLiteral("peek-%1").arg(quintptr(this))) {
        db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        db.open();
    }
    ~Peek() {
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
    }
    QString content(qint64 id) {
        QSqlQuery q(db);
        q.prepare("SELECT content FROM messages WHERE id = ?");
        q.addBindValue(id);
        q.exec();
        return q.next() ? q.value(0).toString() : QStringLiteral("<missing>");
    }
    int count(const char* role) {
        QSqlQuery q(db);
        q.exec(QStringLiteral("SELECT count(*) FROM messages WHERE role = '%1'").arg(QLatin1String(role)));
        return q.next() ? q.value(0).toInt() : -1;
    }
    QString name;
    QSqlDatabase db;
};
}  // namespace

TEST_CASE("the user's message is committed before generation and the reply is written while it streams", "[controller]") {
    QTemporaryDir dir;
    const QString path = dir.filePath("h.sqlite3");
    ChatRig rig(path, 10, 0);  // 10 ms per token, until the context is full
    REQUIRE(rig.loadModel());
    Peek peek(path);

    REQUIRE(rig.chat->send("What is a zebra?"));
    // Nothing has run on the event loop yet, and the message is already on disk.
    CHECK(peek.count("user") == 1);
    CHECK(peek.count("assistant") == 1);
    const qint64 reply = rig.chat->streamingMessageId();
    REQUIRE(reply > 0);
    CHECK(rig.chat->title() == "What is a zebra?");

    // Mid-reply, the database holds a prefix of what is on screen, at most a flush behind.
    REQUIRE(waitFor([&] { return rig.chat->messages()->contentAt(1).size() > 20; }));
    REQUIRE(waitFor([&] { return peek.content(reply).size() > 10; }, 2000));
    const QString onDisk = peek.content(reply);
    CHECK(rig.chat->generating());
    CHECK(rig.chat->messages()->contentAt(1).startsWith(onDisk));

    rig.chat->stop();
    REQUIRE(rig.waitIdle(2000));
    const QString final = rig.chat->messages()->contentAt(1);
    CHECK(peek.content(reply) == final);
    CHECK(rig.chat->messages()->data(rig.chat->messages()->index(1), MessageListModel::StateRole).toInt() == int(MessageState::Stopped));
}

TEST_CASE("regenerate adds versions, editing starts a branch, and versions can be switched", "[controller]") {
    QTemporaryDir dir;
    ChatRig rig(dir.filePath("h.sqlite3"));
    REQUIRE(rig.loadModel());
    MessageListModel* list = rig.chat->messages();
    auto at = [&](int row, int role) { return list->data(list->index(row), role); };

    REQUIRE(rig.chat->send("First"));
    REQUIRE(rig.waitIdle());
    const qint64 firstReply = at(1, MessageListModel::MessageIdRole).toLongLong();
    rig.chat->regenerate(firstReply);
    REQUIRE(rig.waitIdle());
    REQUIRE(list->rowCount() == 2);
    CHECK(at(1, MessageListModel::VersionIndexRole).toInt() == 2);
    CHECK(at(1, MessageListModel::VersionCountRole).toInt() == 2);
    const qint64 secondReply = at(1, MessageListModel::MessageIdRole).toLongLong();
    CHECK(secondReply != firstReply);

    rig.chat->switchVersion(secondReply, -1);
    CHECK(at(1, MessageListModel::MessageIdRole).toLongLong() == firstReply);
    CHECK(at(1, MessageListModel::VersionIndexRole).toInt() == 1);

    // A follow-up on version 1, then an edit of the first message: a new branch from the root.
    REQUIRE(rig.chat->send("Second"));
    REQUIRE(rig.waitIdle());
    CHECK(list->rowCount() == 4);
    const qint64 firstUser = at(0, MessageListModel::MessageIdRole).toLongLong();
    REQUIRE(rig.chat->editMessage(firstUser, "First, edited"));
    REQUIRE(rig.waitIdle());
    CHECK(list->rowCount() == 2);
    CHECK(list->contentAt(0) == "First, edited");
    CHECK(at(0, MessageListModel::VersionIndexRole).toInt() == 2);
    CHECK(at(0, MessageListModel::VersionCountRole).toInt() == 2);

    // Back to the first branch: its remembered path, with the follow-up, comes back.
    rig.chat->switchVersion(at(0, MessageListModel::MessageIdRole).toLongLong(), -1);
    CHECK(list->rowCount() == 4);
    CHECK(list->contentAt(2) == "Second");

    // The choice survives reopening the conversation.
    const qint64 conv = rig.chat->conversationId();
    rig.chat->newConversation();
    rig.chat->selectConversation(conv);
    CHECK(list->rowCount() == 4);
}

TEST_CASE("errors become notices and keep the user's text", "[controller]") {
    QTemporaryDir dir;
    ChatRig rig(dir.filePath("h.sqlite3"));

    SECTION("no model loaded") {
        CHECK_FALSE(rig.chat->send("Hello"));
        CHECK(rig.chat->notice().value("title").toString() == "No model is loaded");
    }
    SECTION("a message too long for the context") {
        REQUIRE(rig.loadModel());
        REQUIRE(rig.chat->send(QString(3000, QLatin1Char('b'))));
        REQUIRE(rig.waitIdle());
        CHECK(rig.chat->notice().value("title").toString() == "The message does not fit");
        REQUIRE(rig.chat->messages()->rowCount() == 1);  // the user's message stays, the empty reply goes
        CHECK(rig.chat->messages()->contentAt(0).size() == 3000);
    }
    SECTION("a full disk") {
        REQUIRE(rig.loadModel());
        QSqlQuery q(rig.store.database());
        q.exec("PRAGMA page_count");
        q.next();
        q.exec(QStringLiteral("PRAGMA max_page_count = %1").arg(q.value(0).toInt()));
        CHECK_FALSE(rig.chat->send(QString(100000, QLatin1Char('c'))));
        CHECK(rig.chat->notice().value("title").toString() == "The disk is full");
        CHECK_FALSE(rig.chat->generating());
    }
    SECTION("a model file that cannot be loaded") {
        QObject::connect(rig.models.get(), &ModelController::notice, &rig.notices,
                         [&](const QString& t, const QString& d) { rig.notices.postGlobal(t, d); });
        rig.models->load(dir.filePath("h.sqlite3"));  // not a GGUF file
        REQUIRE(waitFor([&] { return !rig.models->loading(); }));
        CHECK_FALSE(rig.models->loaded());
        CHECK(rig.chat->notice().value("title").toString() == "The model could not be loaded");
        CHECK(rig.chat->notice().value("detail").toString().contains("Pick another model"));
    }
}

TEST_CASE("per-conversation settings override the app-wide defaults", "[controller][settings]") {
    QTemporaryDir dir;
    ChatRig rig(dir.filePath("h.sqlite3"));
    REQUIRE(rig.loadModel());
    REQUIRE(rig.chat->send("Hi"));
    REQUIRE(rig.waitIdle());
    const qint64 conv = rig.chat->conversationId();
    ChatSettings s = rig.chat->settingsFor(conv);
    CHECK_FALSE(s.customized);
    s.temperature = 1.3;
    s.systemPrompt = "Answer in French.";
    CHECK(rig.chat->applySettings(conv, s) == conv);
    s = rig.chat->settingsFor(conv);
    CHECK(s.customized);
    CHECK(s.temperature == Approx(1.3));
    CHECK(s.systemPrompt == "Answer in French.");

    // Export of the open conversation, through the same calls the export dialog makes.
    const QUrl md = QUrl::fromLocalFile(dir.filePath("chat.md")), json = QUrl::fromLocalFile(dir.filePath("chat.json"));
    REQUIRE(rig.exporter->save(conv, md, "markdown"));
    REQUIRE(rig.exporter->save(conv, json, "json"));
    QFile f(dir.filePath("chat.md"));
    REQUIRE(f.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(f.readAll());
    CHECK(text.startsWith("# Hi\n"));
    CHECK(text.contains("> Answer in French."));
    CHECK(QFile(dir.filePath("chat.json")).size() > 100);
    CHECK_FALSE(rig.exporter->save(conv, QUrl::fromLocalFile("/nonexistent-dir/x.md"), "markdown"));
    CHECK(rig.chat->notice().value("title").toString() == "Export failed");

    rig.chat->newConversation();
    CHECK(rig.chat->settingsFor(0).temperature == Approx(0.0));  // the rig's default
    CHECK(rig.exporter->text(0, "markdown").isEmpty());
}

// Issue 16 #3: notices belong to the chat or model they are about, merge, and fade.
TEST_CASE("notices are scoped to their conversation and model, merge, and informational ones fade", "[controller]") {
    NoticeService n;
    n.setModel("/m/small.gguf");
    n.setConversation(7);
    n.postForConversation(7, "The context is full", "256 tokens", Notice::Error, "/m/small.gguf");
    n.postGlobal("History is read-only", "…", Notice::Warning);
    CHECK(n.visible().size() == 2);
    n.setConversation(0);  // Ctrl+N
    REQUIRE(n.visible().size() == 1);
    CHECK(n.visible().front().title == "History is read-only");
    n.setConversation(7);
    n.setModel("/m/large.gguf");  // a 4096-token model: the 256-token notice is not about it
    CHECK(n.visible().size() == 1);
    n.setModel("/m/small.gguf");
    CHECK(n.visible().size() == 2);

    // Two exports: one card, counted, with the newest detail.
    n.postForConversation(7, "Exported", "Saved to a.md", Notice::Info);
    n.postForConversation(7, "Exported", "Saved to b.md", Notice::Info);
    REQUIRE(n.visible().size() == 3);
    CHECK(n.visible().back().count == 2);
    CHECK(n.visible().back().detail == "Saved to b.md");

    n.setInfoLifetimeMs(50);
    n.postForConversation(7, "Exported", "Saved to c.md", Notice::Info);
    CHECK(waitFor([&] { return n.visible().size() == 2; }, 5000));  // faded; errors and warnings stay
    n.dropConversation(7);
    CHECK(n.visible().size() == 1);

    // A condition that is over: its app-wide notices go, a chat's notice of that title stays.
    n.postGlobal("The model cannot be added", "not a .gguf address");
    n.postForConversation(7, "The model cannot be added", "(scoped)");
    n.setConversation(7);
    REQUIRE(n.visible().size() == 3);
    n.withdrawGlobal("The model cannot be added");
    REQUIRE(n.visible().size() == 2);
    CHECK(n.visible().back().detail == "(scoped)");
}

TEST_CASE("the chat controller shows the open chat's notices and the loaded model's: not after Ctrl+N", "[controller]") {
    // (The engine now shifts the context instead of stopping, so "The context is full" is posted
    // here as onFinished posts it: on the reply's conversation and model.)
    QTemporaryDir dir;
    ChatRig rig(dir.filePath("h.sqlite3"));
    REQUIRE(rig.loadModel());
    REQUIRE(rig.chat->send("once upon a time"));
    const qint64 conv = rig.chat->conversationId();
    REQUIRE(rig.waitIdle());
    rig.notices.postForConversation(conv, "The context is full", "256 tokens", Notice::Error, rig.models->info().path);
    REQUIRE(rig.chat->notice().value("title").toString() == "The context is full");
    rig.chat->newConversation();
    CHECK(rig.chat->notices().isEmpty());
    rig.chat->selectConversation(conv);
    CHECK(rig.chat->notice().value("title").toString() == "The context is full");
    rig.models->load(dir.filePath("missing.gguf"));  // another model: not about it
    REQUIRE(waitFor([&] { return !rig.models->loading(); }));
    CHECK(rig.chat->notices().isEmpty());
}

// Issue 16 #4: one chat writing does not make every chat busy; the second waits in line.
TEST_CASE("busy is per chat: a message sent in another chat waits in line and runs next", "[controller]") {
    QTemporaryDir dir;
    ChatRig rig(dir.filePath("h.sqlite3"), 10, 0);  // slow and long: chat A is still writing below
    REQUIRE(rig.loadModel());
    REQUIRE(rig.chat->send("first chat"));
    const qint64 a = rig.chat->conversationId();
    rig.chat->newConversation();
    CHECK_FALSE(rig.chat->generating());  // the new chat is not busy
    REQUIRE(rig.chat->send("second chat"));
    const qint64 b = rig.chat->conversationId();
    CHECK(a != b);
    CHECK(rig.chat->generating());
    CHECK(rig.chat->waiting());
    QVariantMap busy = rig.chat->busyConversations();
    CHECK(busy.value(QString::number(a)).toString() == "writing");
    CHECK(busy.value(QString::number(b)).toString() == "waiting");

    rig.chat->selectConversation(a);
    CHECK(rig.chat->generating());
    CHECK_FALSE(rig.chat->waiting());
    rig.chat->stop();  // stops A only; B starts
    REQUIRE(waitFor([&] { return rig.chat->busyConversations().value(QString::number(b)).toString() == "writing"; }));
    CHECK_FALSE(rig.chat->generating());
    rig.chat->selectConversation(b);
    REQUIRE(waitFor([&] { return rig.chat->messages()->contentAt(1).size() > 5; }));
    rig.chat->stop();
    REQUIRE(rig.waitIdle());
    CHECK(rig.chat->busyConversations().isEmpty());

    // Stop on a chat that is only waiting takes its reply back out of the line.
    rig.chat->selectConversation(a);
    REQUIRE(rig.chat->send("again in A"));
    rig.chat->selectConversation(b);
    REQUIRE(rig.chat->send("again in B"));
    CHECK(rig.chat->waiting());
    const int rows = rig.chat->messages()->rowCount();
    rig.chat->stop();
    CHECK_FALSE(rig.chat->generating());
    CHECK(rig.chat->messages()->rowCount() == rows - 1);  // the user's message stays, the empty reply goes
    rig.chat->selectConversation(a);
    rig.chat->stop();
    REQUIRE(rig.waitIdle());
}

// Issue 16 #12: drafts survive switching chats and a restart; settings go to the chat they were
// opened for.
TEST_CASE("drafts are kept per conversation and settings apply to the chat they were made for", "[controller][settings]") {
    QTemporaryDir dir;
    const QString db = dir.filePath("h.sqlite3");
    qint64 a = 0, b = 0;
    {
        ChatRig rig(db);
        REQUIRE(rig.loadModel());
        REQUIRE(rig.chat->send("chat a"));
        a = rig.chat->conversationId();
        REQUIRE(rig.waitIdle());
        rig.chat->newConversation();
        REQUIRE(rig.chat->send("chat b"));
        b = rig.chat->conversationId();
        REQUIRE(rig.waitIdle());
        rig.chat->setDraft("half a thought");
        rig.chat->selectConversation(a);
        CHECK(rig.chat->draft().isEmpty());
        rig.chat->newConversation();
        rig.chat->setDraft("new chat text");
        rig.chat->selectConversation(b);
        CHECK(rig.chat->draft() == "half a thought");

        // The dialog was opened on A; the user switched to B before Apply.
        ChatSettings s = rig.chat->settingsFor(a);
        s.temperature = 1.25;
        CHECK(rig.chat->applySettings(a, s) == a);
        CHECK(rig.chat->settingsFor(a).temperature == Approx(1.25));
        CHECK(rig.chat->settingsFor(b).temperature == Approx(0.0));
        CHECK(rig.settings.lastConversation() == b);
    }
    ChatRig again(db);  // a restart
    again.chat->selectConversation(b);
    CHECK(again.chat->draft() == "half a thought");
    again.chat->newConversation();
    CHECK(again.chat->draft() == "new chat text");
    again.chat->setDraft("");
}

TEST_CASE("a stop string set for a chat ends that chat's reply, and only that chat's", "[controller][settings]") {
    // The built-in story model, greedy: the same prompt gives the same reply, so where a stop
    // string cuts it is known in advance.
    const QString builtIn = QString::fromStdString(
        tern::default_model_path(QCoreApplication::applicationFilePath().toLocal8Bit().constData()));
    REQUIRE_FALSE(builtIn.isEmpty());  // resources/models/tern-default.gguf
    QTemporaryDir dir;
    ChatRig rig(dir.filePath("h.sqlite3"), 0, 48);
    rig.models->start({}, {}, builtIn);
    REQUIRE(waitFor([&] { return rig.models->loaded(); }, 60000));

    REQUIRE(rig.chat->send("Tell me a story about a cat."));
    REQUIRE(rig.waitIdle());
    const QString full = rig.chat->messages()->contentAt(1);
    const QStringList words = full.split(' ', Qt::SkipEmptyParts);
    INFO("the unstopped reply: " << full.toStdString());
    REQUIRE(words.size() >= 6);
    // A word from the middle of the reply, where it first occurs.
    const QString stop = ' ' + words[words.size() / 2] + ' ';
    const qsizetype at = full.indexOf(stop);
    REQUIRE(at > 0);

    rig.chat->newConversation();
    ChatSettings s = rig.chat->settingsFor(0);
    s.stop = {stop};
    const qint64 stopped = rig.chat->applySettings(0, s);
    REQUIRE(stopped != 0);
    REQUIRE(rig.chat->conversationId() == stopped);
    REQUIRE(rig.chat->send("Tell me a story about a cat."));
    REQUIRE(rig.waitIdle());
    const QString cut = rig.chat->messages()->contentAt(1);
    INFO("the stopped reply: " << cut.toStdString());
    CHECK(cut.trimmed() == full.left(at).trimmed());  // ends before the stop string, which is not shown

    // Another chat, without the stop string, runs on as before.
    rig.chat->newConversation();
    REQUIRE(rig.chat->send("Tell me a story about a cat."));
    REQUIRE(rig.waitIdle());
    CHECK(rig.chat->messages()->contentAt(1) == full);
}
