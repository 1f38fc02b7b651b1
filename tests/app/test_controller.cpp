// The chat controller end to end without a window: what reaches the database and when, stop,
// regenerate, edit-as-branch, version switching, and errors shown as notices.
#include <catch2/catch.hpp>

#include "controller_fixture.h"

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
        QObject::connect(rig.models.get(), &ModelController::notice, rig.chat.get(),
                         [&](const QString& t, const QString& d) { rig.chat->showNotice(t, d); });
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
    QVariantMap s = rig.chat->conversationSettings();
    CHECK_FALSE(s.value("customized").toBool());
    s.insert("temperature", 1.3);
    s.insert("systemPrompt", "Answer in French.");
    rig.chat->applySettings(s);
    s = rig.chat->conversationSettings();
    CHECK(s.value("customized").toBool());
    CHECK(s.value("temperature").toDouble() == Approx(1.3));
    CHECK(s.value("systemPrompt").toString() == "Answer in French.");

    // Export of the open conversation, through the same calls the Export menu makes.
    const QUrl md = QUrl::fromLocalFile(dir.filePath("chat.md")), json = QUrl::fromLocalFile(dir.filePath("chat.json"));
    REQUIRE(rig.chat->exportToFile(md, "markdown"));
    REQUIRE(rig.chat->exportToFile(json, "json"));
    QFile f(dir.filePath("chat.md"));
    REQUIRE(f.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(f.readAll());
    CHECK(text.startsWith("# Hi\n"));
    CHECK(text.contains("> Answer in French."));
    CHECK(QFile(dir.filePath("chat.json")).size() > 100);
    CHECK_FALSE(rig.chat->exportToFile(QUrl::fromLocalFile("/nonexistent-dir/x.md"), "markdown"));
    CHECK(rig.chat->notice().value("title").toString() == "Export failed");

    rig.chat->newConversation();
    CHECK(rig.chat->conversationSettings().value("temperature").toDouble() == Approx(0.0));  // the rig's default
    CHECK(rig.chat->exportText("markdown").isEmpty());
}
