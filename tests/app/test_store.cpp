// The history store on real SQLite files: creation, every migration path, damaged and newer
// databases, full-text search, deletion with undo, and a full disk.
#include <catch2/catch.hpp>

#include "app/conversation_store.h"
#include "app/schema_migrations.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>

using namespace tern::app;

namespace {

QString pragma(QSqlDatabase& db, const char* name) {
    QSqlQuery q(db);
    q.exec(QStringLiteral("PRAGMA %1").arg(QLatin1String(name)));
    return q.next() ? q.value(0).toString() : QString();
}

QByteArray fileHash(const QString& path) {
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

MessageRecord msg(qint64 conv, qint64 parent, const char* role, const QString& text) {
    MessageRecord m;
    m.conversationId = conv;
    m.parentId = parent;
    m.role = QLatin1String(role);
    m.content = text;
    return m;
}

// Builds a database of schema `version` by hand, with one conversation and two messages when
// the schema has those tables: what an older Tern would have left behind.
void makeOldDatabase(const QString& path, int version) {
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("old"));
        db.setDatabaseName(path);
        REQUIRE(db.open());
        REQUIRE(migrate(db, version).isEmpty());
        REQUIRE(schemaVersion(db) == version);
        if (version >= 1) {
            QSqlQuery q(db);
            REQUIRE(q.exec("INSERT INTO conversations(id, title, created_at, updated_at, model) VALUES (1, 'Old chat', 1000, 2000, 'm')"));
            REQUIRE(q.exec("INSERT INTO messages(id, conversation_id, parent_id, role, content, created_at) VALUES "
                           "(1, 1, NULL, 'user', 'tell me about zebras', 1000), (2, 1, 1, 'assistant', 'zebras have stripes', 1001)"));
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("old"));
}

}  // namespace

TEST_CASE("a new history database gets the latest schema, WAL and foreign keys", "[store]") {
    QTemporaryDir dir;
    ConversationStore store;
    const OpenReport r = store.open(dir.filePath("sub/history.sqlite3"));
    REQUIRE(r.status == OpenReport::Ok);
    REQUIRE(store.persistent());
    CHECK(schemaVersion(store.database()) == kSchemaVersion);
    CHECK(pragma(store.database(), "journal_mode") == "wal");
    CHECK(pragma(store.database(), "foreign_keys") == "1");

    const qint64 c = store.createConversation("model-a");
    const qint64 u = store.addMessage(msg(c, 0, "user", "hello"));
    store.addMessage(msg(c, u, "assistant", "hi"));
    // Foreign keys are enforced: a message cannot point at a missing conversation.
    CHECK_THROWS_AS(store.addMessage(msg(9999, 0, "user", "orphan")), StoreError);
    ConversationRecord rec;
    REQUIRE(store.conversation(c, &rec));
    CHECK(rec.model == "model-a");
    CHECK_FALSE(rec.hasSystemPrompt);
    store.setSystemPrompt(c, true, "be brief");
    store.setSettings(c, QJsonObject{{"temperature", 0.2}});
    REQUIRE(store.conversation(c, &rec));
    CHECK(rec.systemPrompt == "be brief");
    CHECK(rec.settings.value("temperature").toDouble() == Approx(0.2));
    CHECK(store.messages(c).size() == 2);
}

TEST_CASE("databases of every earlier schema version are upgraded with their data", "[store][migrations]") {
    for (int version = 0; version < kSchemaVersion; ++version) {
        DYNAMIC_SECTION("from version " << version) {
            QTemporaryDir dir;
            const QString path = dir.filePath("history.sqlite3");
            makeOldDatabase(path, version);
            ConversationStore store;
            const OpenReport r = store.open(path);
            REQUIRE(r.status == OpenReport::Ok);
            CHECK(schemaVersion(store.database()) == kSchemaVersion);
            if (version >= 1) {
                REQUIRE(store.conversations().size() == 1);
                CHECK(store.conversations()[0].title == "Old chat");
                CHECK(store.messages(1).size() == 2);
                // Messages written before the search index existed are found (v2 rebuilds it).
                const QVector<SearchHit> hits = store.search("zebras");
                CHECK(hits.size() == 2);
                // v3: deletion with undo works on old rows too.
                store.markDeleted(1, true);
                CHECK(store.conversations().isEmpty());
                store.markDeleted(1, false);
                CHECK(store.conversations().size() == 1);
            }
        }
    }
}

TEST_CASE("an unreadable database is moved aside, reported, and a new one started", "[store]") {
    QTemporaryDir dir;
    const QString path = dir.filePath("history.sqlite3");
    SECTION("not a database at all") {
        QFile f(path);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(8192, 'x'));
    }
    SECTION("an SQLite header over garbage pages") {
        QFile f(path);
        REQUIRE(f.open(QIODevice::WriteOnly));
        QByteArray bytes("SQLite format 3", 16);
        for (int i = 0; i < 4 * 4096; ++i) bytes.append(char((i * 7919) & 0xff));
        f.write(bytes);
    }
    const QByteArray before = fileHash(path);
    ConversationStore store;
    const OpenReport r = store.open(path);
    CHECK(r.status == OpenReport::Recovered);
    CHECK(r.message.contains("moved to"));
    CHECK_FALSE(r.message.contains("()"));  // the reason is named
    REQUIRE_FALSE(r.movedTo.isEmpty());
    CHECK(fileHash(r.movedTo) == before);  // the user's file is kept byte for byte
    CHECK(store.persistent());
    const qint64 c = store.createConversation("m");
    store.addMessage(msg(c, 0, "user", "works again"));
    CHECK(store.search("works").size() == 1);
}

TEST_CASE("a database from a newer Tern is refused and left untouched", "[store]") {
    QTemporaryDir dir;
    const QString path = dir.filePath("history.sqlite3");
    makeOldDatabase(path, kSchemaVersion);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("newer"));
        db.setDatabaseName(path);
        REQUIRE(db.open());
        QSqlQuery(db).exec(QStringLiteral("PRAGMA user_version = %1").arg(kSchemaVersion + 5));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("newer"));
    const QByteArray before = fileHash(path);
    ConversationStore store;
    const OpenReport r = store.open(path);
    CHECK(r.status == OpenReport::NewerSchema);
    CHECK(r.message.contains("newer version of Tern"));
    CHECK_FALSE(store.persistent());
    // Still usable (in memory), and the file is not touched.
    const qint64 c = store.createConversation("m");
    CHECK(c > 0);
    CHECK(fileHash(path) == before);
    CHECK_FALSE(QFile::exists(path + "-wal"));
}

TEST_CASE("a reply left streaming by a crash is marked interrupted at the next start", "[store]") {
    QTemporaryDir dir;
    const QString path = dir.filePath("h.sqlite3");
    qint64 reply = 0;
    {
        ConversationStore store;
        store.open(path);
        const qint64 c = store.createConversation("m");
        const qint64 u = store.addMessage(msg(c, 0, "user", "q"));
        MessageRecord a = msg(c, u, "assistant", "partial ans");
        a.state = MessageState::Streaming;
        reply = store.addMessage(a);
    }
    ConversationStore store;
    store.open(path);
    const auto all = store.messages(1);
    REQUIRE(all.size() == 2);
    CHECK(all[1].id == reply);
    CHECK(all[1].state == MessageState::Interrupted);
    CHECK(all[1].content == "partial ans");
}

TEST_CASE("full-text search follows inserts, edits and deletes, with highlighted snippets", "[store][search]") {
    QTemporaryDir dir;
    ConversationStore store;
    store.open(dir.filePath("h.sqlite3"));
    const qint64 c = store.createConversation("m");
    store.renameConversation(c, "Animals", true);
    const qint64 u = store.addMessage(msg(c, 0, "user", "The quick brown fox jumps over the lazy dog"));
    const qint64 a = store.addMessage(msg(c, u, "assistant", "Foxes are quick <b>animals</b>"));

    QVector<SearchHit> hits = store.search("quick fox");
    REQUIRE(hits.size() == 2);  // prefix match: "fox" finds "Foxes" too
    CHECK(hits[0].conversationId == c);
    CHECK(hits[0].snippetHtml.contains("<b>quick</b>"));
    bool escaped = false;
    for (const SearchHit& h : hits) escaped |= h.snippetHtml.contains("&lt;b&gt;animals");
    CHECK(escaped);  // the message's own markup is escaped, only matches are bold

    store.updateMessageText(a, "Cats are independent", MessageState::Complete);
    CHECK(store.search("independent").size() == 1);
    CHECK(store.search("foxes").isEmpty());
    store.deleteMessage(u);  // and its reply, by cascade
    CHECK(store.search("quick").isEmpty());
    CHECK(store.search("independent").isEmpty());

    // The title is searchable; FTS syntax in user text is taken literally, never an error.
    hits = store.search("anim");
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].messageId == 0);
    for (const char* nasty : {"\"", "a AND", "NOT", "*", "x -y", "(", "col:val", "'; DROP TABLE messages; --"})
        CHECK_NOTHROW(store.search(QString::fromUtf8(nasty)));
    CHECK(store.search("   ").isEmpty());
}

TEST_CASE("deleting a conversation can be undone until purged", "[store]") {
    QTemporaryDir dir;
    const QString path = dir.filePath("h.sqlite3");
    {
        ConversationStore store;
        store.open(path);
        const qint64 a = store.createConversation("m"), b = store.createConversation("m");
        store.addMessage(msg(a, 0, "user", "keep me"));
        store.addMessage(msg(b, 0, "user", "delete me"));
        store.markDeleted(b, true);
        CHECK(store.conversations().size() == 1);
        CHECK(store.search("delete").isEmpty());  // hidden from search too
        store.markDeleted(b, false);
        CHECK(store.conversations().size() == 2);
        store.markDeleted(b, true);
    }
    ConversationStore store;
    store.open(path);  // hidden conversations are removed for good at start
    CHECK(store.conversations().size() == 1);
    QSqlQuery q(store.database());
    q.exec("SELECT count(*) FROM messages");
    q.next();
    CHECK(q.value(0).toInt() == 1);
}

TEST_CASE("a full disk is reported as such, and nothing is half-written", "[store]") {
    QTemporaryDir dir;
    ConversationStore store;
    store.open(dir.filePath("h.sqlite3"));
    const qint64 c = store.createConversation("m");
    QSqlQuery q(store.database());
    q.exec("PRAGMA page_count");
    q.next();
    const int pages = q.value(0).toInt();
    // SQLite then fails exactly as on a full disk: SQLITE_FULL.
    REQUIRE(q.exec(QStringLiteral("PRAGMA max_page_count = %1").arg(pages + 2)));
    try {
        store.addMessage(msg(c, 0, "user", QString(200000, QLatin1Char('z'))));
        FAIL("the insert should not fit");
    } catch (const StoreError& e) {
        INFO(e.what());
        CHECK(e.diskFull());
    }
    CHECK(store.messages(c).isEmpty());
}
