// The history store under file-system faults, made for real (fault_fs.h): a read-only file,
// folder or mount, a full disk, I/O errors, damage. Each case checks what the user is told and
// that the user's files are left byte for byte as they were; a history that can still be read
// is listed, read, searched and exported read-only.
#include <catch2/catch.hpp>

#include "app/conversation_export.h"
#include "app/conversation_store.h"
#include "fault_fs.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QMap>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>

using namespace tern::app;
using tern_app_test::FaultFs;
using tern_app_test::runningAsRoot;

// REQUIRE, with why a fault could not be made when it could not.
#define REQUIRE_SAYING(condition, why) \
    do {                                \
        INFO(why);                      \
        REQUIRE(condition);             \
    } while (false)

namespace {

// Every file in dir with the SHA-256 of its bytes.
QMap<QString, QByteArray> hashes(const QString& dir) {
    QMap<QString, QByteArray> out;
    for (const QString& name : QDir(dir).entryList(QDir::Files | QDir::Hidden)) {
        QFile f(dir + QLatin1Char('/') + name);
        if (f.open(QIODevice::ReadOnly)) out.insert(name, QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256));
    }
    return out;
}

// The files of `before` are unchanged (the -shm is SQLite's scratch memory, not data); none was
// moved aside.
void checkUntouched(const QString& dir, const QMap<QString, QByteArray>& before) {
    const QMap<QString, QByteArray> after = hashes(dir);
    for (auto it = before.cbegin(); it != before.cend(); ++it) {
        if (it.key().endsWith(QLatin1String("-shm"))) continue;
        INFO(it.key().toStdString());
        REQUIRE(after.contains(it.key()));
        CHECK(after.value(it.key()) == it.value());
    }
    for (const QString& name : after.keys()) CHECK_FALSE(name.contains(QLatin1String("unreadable")));
}

// A history as the app leaves it: two conversations (the second with a reply cut off while
// streaming), and one deleted conversation awaiting its purge. Closed cleanly, so WAL mode
// without -wal or -shm files.
void writeHistory(const QString& path) {
    ConversationStore store;
    REQUIRE(store.open(path).status == OpenReport::Ok);
    qint64 parent = 0;
    const qint64 first = store.createConversation(QStringLiteral("m"));
    store.renameConversation(first, QStringLiteral("Zebras"), false);
    for (const char* text : {"tell me about zebras", "zebras have stripes"}) {
        MessageRecord m;
        m.conversationId = first;
        m.parentId = parent;
        m.role = parent ? QStringLiteral("assistant") : QStringLiteral("user");
        m.content = QLatin1String(text);
        parent = store.addMessage(m);
    }
    store.setCurrentLeaf(first, parent);
    const qint64 second = store.createConversation(QStringLiteral("m"));
    MessageRecord cut;
    cut.conversationId = second;
    cut.role = QStringLiteral("assistant");
    cut.content = QStringLiteral("half a reply");
    cut.state = MessageState::Streaming;
    store.addMessage(cut);
    store.markDeleted(store.createConversation(QStringLiteral("m")), true);
}

// Read-only, everything the user had is there: listed, read, searched and exported. Writes are
// refused with a message that says why, and nothing is written.
void checkReadableReadOnly(ConversationStore& store) {
    CHECK(store.persistent());
    CHECK(store.readOnly());
    const QVector<ConversationRecord> all = store.conversations();
    REQUIRE(all.size() == 2);  // the deleted one is hidden, though not purged
    ConversationRecord zebras;
    for (const ConversationRecord& c : all)
        if (c.title == QLatin1String("Zebras")) zebras = c;
    REQUIRE(zebras.id != 0);
    const QVector<MessageRecord> messages = store.messages(zebras.id);
    REQUIRE(messages.size() == 2);
    CHECK(messages[1].content == QLatin1String("zebras have stripes"));
    CHECK(store.search(QStringLiteral("stripes")).size() == 1);
    CHECK(exportMarkdown(zebras, messages, QString()).contains(QLatin1String("zebras have stripes")));
    CHECK(exportJson(zebras, messages, messages, QString()).contains("zebras have stripes"));
    try {
        store.createConversation(QStringLiteral("m"));
        FAIL("a read-only history took a write");
    } catch (const StoreError& e) {
        CHECK(QString::fromUtf8(e.what()).contains(QLatin1String("read-only")));
        CHECK_FALSE(e.diskFull());
    }
}

// The store's verdict on a history that cannot be written: read-only, said plainly, never
// "unreadable" or "damaged", nothing moved.
void checkReadOnlyReport(const OpenReport& r) {
    INFO(r.message.toStdString());
    CHECK(r.status == OpenReport::ReadOnly);
    CHECK(r.message.contains(QLatin1String("open read-only because")));
    CHECK(r.message.contains(QLatin1String("read and export")));
    CHECK_FALSE(r.message.contains(QLatin1String("unreadable")));
    CHECK_FALSE(r.message.contains(QLatin1String("damaged")));
    CHECK(r.movedTo.isEmpty());
}

struct Folder {
    QTemporaryDir tmp;
    QString dir = tmp.filePath(QStringLiteral("data"));
    QString db = dir + QStringLiteral("/history.sqlite3");
    Folder() { QDir().mkpath(dir); }
};

}  // namespace

TEST_CASE("faults: a read-only history file opens read-only, readable and exportable, and is left as it was",
          "[faults]") {
    Folder f;
    writeHistory(f.db);
    FaultFs fs;
    REQUIRE_SAYING(fs.makeReadOnly(f.db), fs.why().toStdString());
    const auto before = hashes(f.dir);
    {
        ConversationStore store;
        const OpenReport r = store.open(f.db);
        checkReadOnlyReport(r);
        // The file itself is named: here the folder is writable, the database is not.
        CHECK(r.message.contains(QLatin1String("history.sqlite3 is read-only")));
        checkReadableReadOnly(store);
        // The reply cut off while streaming is shown as it is; marking it needs a write.
        bool streamingSeen = false;
        for (const ConversationRecord& c : store.conversations())
            for (const MessageRecord& m : store.messages(c.id)) streamingSeen |= m.state == MessageState::Streaming;
        CHECK(streamingSeen);
    }
    checkUntouched(f.dir, before);
}

TEST_CASE("faults: a history in a read-only folder opens read-only and is left as it was", "[faults]") {
    Folder f;
    writeHistory(f.db);
    FaultFs fs;
    REQUIRE_SAYING(fs.makeReadOnly(f.dir), fs.why().toStdString());
    const auto before = hashes(f.dir);
    {
        ConversationStore store;
        const OpenReport r = store.open(f.db);
        checkReadOnlyReport(r);
        checkReadableReadOnly(store);
    }
    checkUntouched(f.dir, before);
}

TEST_CASE("faults: a read-only mount holding a killed writer's -wal and -shm opens read-only with its last commits",
          "[faults]") {
    Folder f;
    writeHistory(f.db);
    // A writer killed mid-session: its last commit is only in the -wal, and -wal and -shm stay.
    // Copying the three files while the writer still holds them open is that state exactly.
    QTemporaryDir snapshot;
    {
        ConversationStore writer;
        REQUIRE(writer.open(f.db).status == OpenReport::Ok);
        QSqlQuery(writer.database()).exec(QStringLiteral("PRAGMA wal_autocheckpoint = 0"));
        writer.renameConversation(writer.conversations().constFirst().id, QStringLiteral("Written last"), false);
        for (const char* suffix : {"", "-wal", "-shm"})
            REQUIRE(QFile::copy(f.db + QLatin1String(suffix), snapshot.filePath(QStringLiteral("history.sqlite3")) + QLatin1String(suffix)));
    }
    FaultFs fs;
    QString dir = f.dir;
    if (runningAsRoot()) {  // a read-only medium: a tmpfs filled, then remounted read-only
        dir = f.tmp.filePath(QStringLiteral("medium"));
        QDir().mkpath(dir);
        REQUIRE_SAYING(fs.mountTmpfs(dir, 4 * 1024 * 1024), fs.why().toStdString());
    } else {
        QDir(dir).removeRecursively();
        QDir().mkpath(dir);
    }
    for (const char* suffix : {"", "-wal", "-shm"})
        REQUIRE(QFile::copy(snapshot.filePath(QStringLiteral("history.sqlite3")) + QLatin1String(suffix),
                            dir + QStringLiteral("/history.sqlite3") + QLatin1String(suffix)));
    REQUIRE(QFileInfo(dir + QStringLiteral("/history.sqlite3-wal")).size() > 0);
    if (runningAsRoot()) {
        REQUIRE_SAYING(fs.remountReadOnly(dir), fs.why().toStdString());
    } else {
        for (const char* suffix : {"", "-wal", "-shm"})
            REQUIRE(fs.makeReadOnly(dir + QStringLiteral("/history.sqlite3") + QLatin1String(suffix)));
        REQUIRE(fs.makeReadOnly(dir));
    }
    const auto before = hashes(dir);
    {
        ConversationStore store;
        const OpenReport r = store.open(dir + QStringLiteral("/history.sqlite3"));
        checkReadOnlyReport(r);
        if (runningAsRoot()) CHECK(r.message.contains(QLatin1String("read-only file system")));
        checkReadableReadOnly(store);
        bool lastCommitSeen = false;
        for (const ConversationRecord& c : store.conversations()) lastCommitSeen |= c.title == QLatin1String("Written last");
        CHECK(lastCommitSeen);
    }
    checkUntouched(dir, before);
    CHECK(hashes(dir).value(QStringLiteral("history.sqlite3-shm")) == before.value(QStringLiteral("history.sqlite3-shm")));
}

TEST_CASE("faults: a full disk at start leaves the history where it is, read-only; all of it is back once space is freed",
          "[faults]") {
    Folder f;
    FaultFs fs;
    QString dir = f.dir;
    bool tmpfs = false;
    if (runningAsRoot()) {
        dir = f.tmp.filePath(QStringLiteral("small-disk"));
        QDir().mkpath(dir);
        tmpfs = fs.mountTmpfs(dir, 1024 * 1024);
        if (!tmpfs) WARN("no tmpfs (" << fs.why().toStdString() << "); a file-size limit stands in for the full disk");
    }
    const QString db = dir + QStringLiteral("/history.sqlite3");
    writeHistory(db);
    const auto before = hashes(dir);
    REQUIRE(before.size() == 1);  // closed cleanly: no -wal, no -shm
    QString filler;
    if (tmpfs) {
        filler = fs.fillDisk(dir);
        REQUIRE_SAYING(!filler.isEmpty(), fs.why().toStdString());
    } else if (!fs.limitFileSize(8 * 1024)) {
        // Neither a mount nor a limit: nothing here can make a write fail for want of space.
        WARN("skipped: neither a tmpfs nor a file-size limit is available: " << fs.why().toStdString());
        return;
    }
    {
        ConversationStore store;
        const OpenReport r = store.open(db);
        fs.liftFileSizeLimit();
        checkReadOnlyReport(r);
        if (tmpfs) CHECK(r.message.contains(QLatin1String("because the disk is full")));
        checkReadableReadOnly(store);
    }
    QMap<QString, QByteArray> dbOnly;
    dbOnly.insert(QStringLiteral("history.sqlite3"), before.value(QStringLiteral("history.sqlite3")));
    checkUntouched(dir, dbOnly);

    // Space again: the same history, writable, with nothing lost and nothing to report.
    if (tmpfs) REQUIRE(QFile::remove(filler));
    ConversationStore store;
    const OpenReport r = store.open(db);
    INFO(r.message.toStdString());
    CHECK(r.status == OpenReport::Ok);
    CHECK_FALSE(store.readOnly());
    CHECK(store.conversations().size() == 2);
    CHECK(store.createConversation(QStringLiteral("m")) > 0);
}

TEST_CASE("faults: a -shm that cannot be opened is an I/O error, not damage: the history is left where it is",
          "[faults]") {
    Folder f;
    writeHistory(f.db);
    // A folder where the -shm should be: opening it fails (EISDIR) for root too.
    REQUIRE(QDir().mkpath(f.db + QStringLiteral("-shm")));
    const auto before = hashes(f.dir);
    {
        ConversationStore store;
        const OpenReport r = store.open(f.db);
        checkReadOnlyReport(r);
        checkReadableReadOnly(store);
    }
    checkUntouched(f.dir, before);
}

TEST_CASE("faults: a database file that cannot be read is reported and left where it is", "[faults]") {
    Folder f;
    writeHistory(f.db);
    const auto before = hashes(f.dir);
    if (runningAsRoot()) {
        // Root reads through any permission bits: a folder where the file should be stands in
        // for a file that cannot be read.
        REQUIRE(QFile::rename(f.db, f.db + QStringLiteral(".kept")));
        REQUIRE(QDir().mkpath(f.db));
    } else {
        REQUIRE(QFile::setPermissions(f.db, QFile::Permissions()));
    }
    {
        ConversationStore store;
        const OpenReport r = store.open(f.db);
        INFO(r.message.toStdString());
        CHECK(r.status == OpenReport::Failed);
        CHECK(r.message.contains(QLatin1String("could not be read")));
        CHECK(r.message.contains(QLatin1String("left where it is")));
        CHECK(r.movedTo.isEmpty());
        CHECK_FALSE(store.persistent());
        CHECK(store.createConversation(QStringLiteral("m")) > 0);  // the session still works, in memory
    }
    if (runningAsRoot()) {
        CHECK(QFileInfo(f.db).isDir());  // not moved aside
        REQUIRE(QDir().rmdir(f.db));
        REQUIRE(QFile::rename(f.db + QStringLiteral(".kept"), f.db));
    } else {
        QFile::setPermissions(f.db, QFile::ReadOwner | QFile::WriteOwner);
    }
    checkUntouched(f.dir, before);
}

TEST_CASE("faults: the notice for a damaged database is short and says where the file went", "[faults]") {
    Folder f;
    writeHistory(f.db);
    {
        // Enough rows for many pages, so damage in the middle yields a long integrity report.
        ConversationStore store;
        REQUIRE(store.open(f.db).status == OpenReport::Ok);
        for (int i = 0; i < 400; ++i) store.renameConversation(store.createConversation(QStringLiteral("m")),
                                                               QStringLiteral("conversation %1 ").arg(i).repeated(8), false);
    }
    {
        QFile file(f.db);
        REQUIRE(file.open(QIODevice::ReadWrite));
        REQUIRE(file.size() > 16 * 4096);
        QByteArray garbage(8 * 4096, '\0');
        for (int i = 0; i < garbage.size(); ++i) garbage[i] = char((i * 7919 + 13) & 0xff);
        file.seek(4 * 4096);
        file.write(garbage);
    }
    const QByteArray damaged = hashes(f.dir).value(QStringLiteral("history.sqlite3"));
    ConversationStore store;
    const OpenReport r = store.open(f.db);
    INFO(r.message.toStdString());
    REQUIRE(r.status == OpenReport::Recovered);
    CHECK_FALSE(r.message.contains(QLatin1Char('\n')));
    CHECK(r.message.size() < 400);
    CHECK(r.message.contains(QDir::toNativeSeparators(r.movedTo)));
    CHECK(r.message.contains(QLatin1String("damaged")));
    CHECK(hashes(f.dir).value(QFileInfo(r.movedTo).fileName()) == damaged);
    CHECK(store.conversations().isEmpty());
    CHECK(store.createConversation(QStringLiteral("m")) > 0);
}
