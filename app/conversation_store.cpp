#include "app/conversation_store.h"

#include "app/schema_migrations.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlError>
#include <QStandardPaths>
#include <QStorageInfo>
#include <QUrl>
#include <QVariant>
#include <atomic>

namespace tern::app {
namespace {

std::atomic<int> g_connections{0};

// SQLite's primary result codes. The QSQLITE driver reports extended codes, whose low byte is
// the primary one (SQLITE_IOERR_SHMSIZE is 4874 = 10 | 19 << 8, for instance).
constexpr int kSqliteReadOnly = 8;
constexpr int kSqliteCorrupt = 11;
constexpr int kSqliteFull = 13;
constexpr int kSqliteNotADatabase = 26;

int primaryCode(const QSqlError& e) {
    bool ok = false;
    const int code = e.nativeErrorCode().toInt(&ok);
    return ok ? (code & 0xff) : -1;
}

// Only SQLite's own verdict that the file is damaged justifies moving it aside. An I/O,
// permission or space error says nothing about the file, which must stay where it is.
bool isDamaged(const QSqlError& e) {
    const int code = primaryCode(e);
    return code == kSqliteCorrupt || code == kSqliteNotADatabase;
}

bool isDiskFull(const QSqlError& e) {
    // SQLITE_FULL; SQLITE_IOERR with ENOSPC also surfaces as "disk is full".
    return primaryCode(e) == kSqliteFull || e.text().contains(QLatin1String("full"), Qt::CaseInsensitive);
}

// On a full disk SQLite cannot grow its -shm and only says "disk I/O error"; the free space
// tells that case apart. Under 1 MiB not even the -shm (32 KiB) and a few WAL frames fit for sure.
bool diskNearlyFull(const QString& path) {
    const QStorageInfo disk(QFileInfo(path).absolutePath());
    return disk.isValid() && disk.bytesAvailable() >= 0 && disk.bytesAvailable() < 1024 * 1024;
}

// The first of the database, its WAL companions and its folder that cannot be written ("" if all
// can). A -shm left read-only by another user keeps a writable database read-only too.
QString firstUnwritable(const QString& path) {
    for (const QString& file : {path, path + QStringLiteral("-wal"), path + QStringLiteral("-shm")})
        if (QFileInfo::exists(file) && !QFileInfo(file).isWritable()) return file;
    const QString folder = QFileInfo(path).absolutePath();
    return QFileInfo(folder).isWritable() ? QString() : folder;
}

// An error for the user: its first line, at most 160 characters. The whole text goes to the log.
QString brief(const QString& text) {
    QString line = text.section(QLatin1Char('\n'), 0, 0).trimmed();
    if (line.size() > 160) line = line.left(159) + QChar(0x2026);
    return line;
}

// Why the history cannot be written, as the end of a sentence ("... because <reason>").
QString cannotWriteReason(const QString& path, const QString& error, bool diskFull) {
    const QStorageInfo disk(QFileInfo(path).absolutePath());
    if (disk.isValid() && disk.isReadOnly())
        return ConversationStore::tr("it is on a read-only file system (%1)").arg(QDir::toNativeSeparators(disk.rootPath()));
    const QString file = firstUnwritable(path);
    if (!file.isEmpty()) return ConversationStore::tr("%1 is read-only").arg(QDir::toNativeSeparators(file));
    if (diskFull || diskNearlyFull(path)) return ConversationStore::tr("the disk is full");
    return ConversationStore::tr("writing to it failed (%1)").arg(brief(error));
}

QString cannotWriteReason(const QString& path, const QSqlError& error) {
    return cannotWriteReason(path, error.text(), isDiskFull(error));
}

// Moves path and its WAL/SHM companions aside; returns the new name of the main file or "".
QString moveAside(const QString& path) {
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-hhmmss"));
    QString target = path + QStringLiteral(".unreadable-") + stamp;
    for (int i = 2; QFile::exists(target); ++i) target = path + QStringLiteral(".unreadable-%1-%2").arg(stamp).arg(i);
    if (!QFile::rename(path, target)) return {};
    for (const char* suffix : {"-wal", "-shm"})
        if (QFile::exists(path + QLatin1String(suffix))) QFile::rename(path + QLatin1String(suffix), target + QLatin1String(suffix));
    return target;
}

ConversationRecord readConversation(const QSqlQuery& q) {
    ConversationRecord c;
    c.id = q.value(0).toLongLong();
    c.title = q.value(1).toString();
    c.titleIsAuto = q.value(2).toBool();
    c.createdAt = q.value(3).toLongLong();
    c.updatedAt = q.value(4).toLongLong();
    c.model = q.value(5).toString();
    c.hasSystemPrompt = !q.value(6).isNull();
    c.systemPrompt = q.value(6).toString();
    c.settings = QJsonDocument::fromJson(q.value(7).toString().toUtf8()).object();
    c.currentLeafId = q.value(8).toLongLong();
    return c;
}

const char* const kConversationColumns =
    "id, title, title_is_auto, created_at, updated_at, model, system_prompt, settings, current_leaf_id";

// User text -> an FTS5 query: every word must appear, as a prefix, and nothing the user types
// can be taken as FTS syntax (each word is quoted, quotes inside are doubled).
QString ftsQuery(const QString& text) {
    QStringList terms;
    for (QString word : text.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts)) {
        word.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        terms << QStringLiteral("\"%1\"*").arg(word);
    }
    return terms.join(QLatin1Char(' '));
}

// snippet() marks matches with \x02 ... \x03 so the text can be escaped before adding <b> tags.
QString markedToHtml(const QString& marked) {
    QString html = marked.toHtmlEscaped();
    html.replace(QChar(2), QStringLiteral("<b>")).replace(QChar(3), QStringLiteral("</b>"));
    html.replace(QLatin1Char('\n'), QLatin1Char(' '));
    return html;
}

// A null QString binds as SQL NULL; the text columns are NOT NULL, so bind "" instead.
QVariant text(const QString& s) { return s.isNull() ? QVariant(QStringLiteral("")) : QVariant(s); }

}  // namespace

qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }

ConversationStore::ConversationStore()
    : connection_(QStringLiteral("tern-store-%1").arg(g_connections.fetch_add(1))) {}

ConversationStore::~ConversationStore() { closeDatabase(); }

QString ConversationStore::defaultPath() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/history.sqlite3");
}

bool ConversationStore::openFile(const QString& path, Access access, QSqlError* error, QString* damage) {
    db_ = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection_);
    if (access == Access::Immutable) {
        // immutable=1: SQLite reads the file as it is, without a -shm and without locks. The one
        // way to read a WAL database on a read-only mount that holds no -shm (pages a killed
        // writer left in a -wal are then not seen; nothing is written either way).
        QUrl url = QUrl::fromLocalFile(QFileInfo(path).absoluteFilePath());
        url.setQuery(QStringLiteral("immutable=1"));
        db_.setDatabaseName(url.toString(QUrl::FullyEncoded));
        db_.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_OPEN_URI"));
    } else {
        db_.setDatabaseName(path);
        if (access == Access::ReadOnly) db_.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
    }
    if (!db_.open()) {
        *error = db_.lastError();
        return false;
    }
    // Another Tern writing at this moment must not make the history look read-only.
    QSqlQuery(db_).exec(QStringLiteral("PRAGMA busy_timeout=2000"));
    // A garbage file "opens" fine; the first read tells. quick_check catches damaged pages.
    QSqlQuery q(db_);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next()) {
        *error = q.lastError();
        return false;
    }
    q.finish();
    if (!q.exec(QStringLiteral("PRAGMA quick_check")) || !q.next()) {
        *error = q.lastError();
        return false;
    }
    if (q.value(0).toString() != QLatin1String("ok")) {
        QStringList problems;
        do problems << q.value(0).toString();
        while (q.next());
        *damage = problems.join(QLatin1Char('\n'));
        return false;
    }
    return true;
}

// Whether SQLite will write this file, found without writing it: a change to the header inside
// a transaction that is rolled back. (BEGIN IMMEDIATE alone is not enough: in WAL mode it takes
// the write lock in the -shm and succeeds even on a read-only file.) SQLite refuses the change
// when it could only open the file read-only: file or folder permissions, a read-only mount, a
// -shm left read-only by another user.
bool ConversationStore::writable(QSqlError* error) {
    const int version = schemaVersion(db_);
    QSqlQuery q(db_);
    const bool ok = q.exec(QStringLiteral("BEGIN IMMEDIATE")) &&
                    q.exec(QStringLiteral("PRAGMA user_version = %1").arg(version));
    if (!ok) *error = q.lastError();
    QSqlQuery(db_).exec(QStringLiteral("ROLLBACK"));
    return ok;
}

bool ConversationStore::openWritable(const QString& path, QSqlError* error, QString* damage) {
    if (!openFile(path, Access::ReadWrite, error, damage)) return false;
    if (!writable(error)) enterReadOnly(cannotWriteReason(path, *error));
    return true;
}

// For a history SQLite could not even read in the normal way: a WAL database whose -shm cannot
// be created or grown (read-only mount, full disk). Tries a read-only connection, then an
// immutable one. Nothing is written to the file or next to it.
bool ConversationStore::openReadOnly(const QString& path) {
    for (Access access : {Access::ReadOnly, Access::Immutable}) {
        QSqlError error;
        QString damage;
        if (openFile(path, access, &error, &damage)) return true;
        closeDatabase();
    }
    return false;
}

void ConversationStore::closeDatabase() {
    if (db_.isValid()) db_.close();
    db_ = QSqlDatabase();
    QSqlDatabase::removeDatabase(connection_);
}

void ConversationStore::enterReadOnly(const QString& reason) {
    readOnly_ = true;
    readOnlyReason_ = reason;
    // query_only makes SQLite itself refuse every write on this connection, so a read-only
    // history is never half-written when the cause goes away during the session.
    QSqlQuery(db_).exec(QStringLiteral("PRAGMA query_only = 1"));
}

void ConversationStore::openMemory() {
    closeDatabase();
    db_ = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection_);
    db_.setDatabaseName(QStringLiteral(":memory:"));
    db_.open();
    persistent_ = false;
    readOnly_ = false;
    readOnlyReason_.clear();
    configure();
    migrate(db_);
}

void ConversationStore::configure() {
    QSqlQuery q(db_);
    // WAL: a reader never blocks the writer, and a killed process leaves a consistent database.
    // synchronous=NORMAL is durable across an application crash (only an OS crash can lose the
    // last commits), and keeps the streaming writes cheap.
    q.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
    q.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
    q.exec(QStringLiteral("PRAGMA foreign_keys=ON"));
}

OpenReport ConversationStore::open(const QString& path) {
    closeDatabase();
    persistent_ = false;
    readOnly_ = false;
    readOnlyReason_.clear();
    OpenReport report;
    const QString shownPath = QDir::toNativeSeparators(path);
    if (path != QLatin1String(":memory:")) QDir().mkpath(QFileInfo(path).absolutePath());
    const bool existed = QFileInfo::exists(path);
    QSqlError error;
    QString damage;
    if (!openWritable(path, &error, &damage)) {
        closeDatabase();
        if (existed && (isDamaged(error) || !damage.isEmpty())) {
            const QString what = damage.isEmpty() ? brief(error.databaseText()) : tr("SQLite's integrity check found damage");
            qWarning("tern: the history database %s is damaged: %s", qPrintable(path),
                     qPrintable(damage.isEmpty() ? error.text() : damage));
            report.movedTo = moveAside(path);
            if (report.movedTo.isEmpty()) {
                report.status = OpenReport::Failed;
                report.message = tr("The history database %1 is damaged (%2) and could not be moved aside. It was left "
                                    "where it is; conversations will not be saved in this session.").arg(shownPath, what);
                openMemory();
                return report;
            }
            report.status = OpenReport::Recovered;
            report.message = tr("The history database was damaged (%1). It was moved to %2 and a new, empty history "
                                "was started.").arg(what, QDir::toNativeSeparators(report.movedTo));
            if (!openWritable(path, &error, &damage)) {
                closeDatabase();
                report.status = OpenReport::Failed;
                report.message += QLatin1Char(' ') + tr("The new history could not be created either, because %1; "
                                                        "conversations will not be saved in this session.")
                                                         .arg(cannotWriteReason(path, error));
                openMemory();
                return report;
            }
        } else if (existed && openReadOnly(path)) {
            qWarning("tern: the history database %s can only be read: %s", qPrintable(path), qPrintable(error.text()));
            enterReadOnly(cannotWriteReason(path, error));
        } else {
            qWarning("tern: the history database %s cannot be opened: %s", qPrintable(path), qPrintable(error.text()));
            report.status = OpenReport::Failed;
            report.message = (existed ? tr("The history database %1 could not be read, because %2. It was left where "
                                           "it is; conversations will not be saved in this session.")
                                      : tr("The history database %1 could not be created, because %2. Conversations "
                                           "will not be saved in this session."))
                                 .arg(shownPath, cannotWriteReason(path, error));
            openMemory();
            return report;
        }
    }
    return finishOpen(path, existed && report.movedTo.isEmpty(), report);
}

// The part of open() after a file was opened (read-write or read-only): schema checks, the
// upgrade, the start-up tidying.
OpenReport ConversationStore::finishOpen(const QString& path, bool existed, OpenReport report) {
    const QString shownPath = QDir::toNativeSeparators(path);
    auto failWith = [&](const QString& message) {
        report.status = OpenReport::Failed;
        report.message = report.message.isEmpty() ? message : report.message + QLatin1Char(' ') + message;
        qWarning("tern: %s", qPrintable(report.message));
        openMemory();
        return report;
    };
    const int version = schemaVersion(db_);
    if (version > kSchemaVersion) {
        report.status = OpenReport::NewerSchema;
        report.message = tr("The history in %1 was written by a newer version of Tern (schema %2; this version knows up "
                            "to %3). It was left untouched; update Tern to see it. Conversations will not be saved in "
                            "this session.").arg(shownPath).arg(version).arg(kSchemaVersion);
        openMemory();
        return report;
    }
    if (readOnly_ && !existed) {
        // SQLite made an empty file but cannot write to it: no history to keep, so none is left behind.
        const OpenReport failed = failWith(tr("The history database %1 could not be created, because %2. Conversations "
                                              "will not be saved in this session.").arg(shownPath, readOnlyReason_));
        if (QFileInfo(path).size() == 0) QFile::remove(path);
        return failed;
    }
    if (readOnly_ && version < kSchemaVersion)
        return failWith(tr("The history database %1 needs an upgrade to this version of Tern, which cannot be done "
                           "because %2. It was left as it was; conversations will not be saved in this session.")
                            .arg(shownPath, readOnlyReason_));
    if (!readOnly_) {
        configure();  // only now: it may write (the switch to WAL), and a newer history stays untouched
        const QString error = migrate(db_);
        if (!error.isEmpty())
            return failWith(tr("The history database %1 could not be upgraded (%2). It was left as it was; "
                               "conversations will not be saved in this session.").arg(shownPath, brief(error)));
    }
    persistent_ = true;
    if (!readOnly_) {
        try {
            // A reply still marked streaming was cut off by a crash or a kill: keep it, say so.
            exec(QStringLiteral("UPDATE messages SET state = ? WHERE state = ?"),
                 {int(MessageState::Interrupted), int(MessageState::Streaming)});
            purgeDeleted();
        } catch (const StoreError& e) {
            // Readable but not writable after all (a full disk, a write error): read-only it is.
            qWarning("tern: the history database %s cannot be written: %s", qPrintable(path), e.what());
            enterReadOnly(cannotWriteReason(path, QString::fromUtf8(e.what()), e.diskFull()));
        }
    }
    if (readOnly_) {
        if (report.status == OpenReport::Ok) report.status = OpenReport::ReadOnly;
        const QString note = tr("The history is open read-only because %1. You can read and export your "
                                "conversations, but changes and new conversations are not saved in this session.")
                                 .arg(readOnlyReason_);
        report.message = report.message.isEmpty() ? note : report.message + QLatin1Char(' ') + note;
    }
    return report;
}

[[noreturn]] void ConversationStore::fail(const QSqlError& error) const {
    if (readOnly_ && primaryCode(error) == kSqliteReadOnly)
        throw StoreError(tr("The history is read-only in this session because %1, so this change was not saved.")
                             .arg(readOnlyReason_),
                         false);
    throw StoreError(error.text(), isDiskFull(error));
}

QSqlQuery ConversationStore::exec(const QString& sql, const QVariantList& args) const {
    QSqlQuery q(db_);
    if (!q.prepare(sql)) fail(q.lastError());
    for (const QVariant& a : args) q.addBindValue(a);
    if (!q.exec()) fail(q.lastError());
    return q;
}

qint64 ConversationStore::createConversation(const QString& model) {
    const qint64 now = nowMs();
    QSqlQuery q = exec(QStringLiteral("INSERT INTO conversations(title, created_at, updated_at, model) VALUES ('', ?, ?, ?)"),
                       {now, now, text(model)});
    return q.lastInsertId().toLongLong();
}

QVector<ConversationRecord> ConversationStore::conversations() const {
    QSqlQuery q = exec(QStringLiteral("SELECT %1 FROM conversations WHERE deleted_at IS NULL ORDER BY updated_at DESC, id DESC")
                           .arg(QLatin1String(kConversationColumns)));
    QVector<ConversationRecord> out;
    while (q.next()) out.push_back(readConversation(q));
    return out;
}

bool ConversationStore::conversation(qint64 id, ConversationRecord* out) const {
    QSqlQuery q = exec(QStringLiteral("SELECT %1 FROM conversations WHERE id = ?").arg(QLatin1String(kConversationColumns)), {id});
    if (!q.next()) return false;
    *out = readConversation(q);
    return true;
}

void ConversationStore::renameConversation(qint64 id, const QString& title, bool automatic) {
    exec(QStringLiteral("UPDATE conversations SET title = ?, title_is_auto = ? WHERE id = ?"), {text(title), automatic ? 1 : 0, id});
}

void ConversationStore::setCurrentLeaf(qint64 conversationId, qint64 leafId) {
    exec(QStringLiteral("UPDATE conversations SET current_leaf_id = ? WHERE id = ?"),
         {leafId ? QVariant(leafId) : QVariant(QMetaType(QMetaType::LongLong)), conversationId});
}

void ConversationStore::setConversationModel(qint64 id, const QString& model) {
    exec(QStringLiteral("UPDATE conversations SET model = ? WHERE id = ?"), {text(model), id});
}

void ConversationStore::setSystemPrompt(qint64 id, bool custom, const QString& prompt) {
    exec(QStringLiteral("UPDATE conversations SET system_prompt = ? WHERE id = ?"),
         {custom ? text(prompt) : QVariant(QMetaType(QMetaType::QString)), id});
}

void ConversationStore::setSettings(qint64 id, const QJsonObject& settings) {
    exec(QStringLiteral("UPDATE conversations SET settings = ? WHERE id = ?"),
         {QString::fromUtf8(QJsonDocument(settings).toJson(QJsonDocument::Compact)), id});
}

void ConversationStore::touch(qint64 id) {
    exec(QStringLiteral("UPDATE conversations SET updated_at = ? WHERE id = ?"), {nowMs(), id});
}

void ConversationStore::markDeleted(qint64 id, bool deleted) {
    exec(QStringLiteral("UPDATE conversations SET deleted_at = ? WHERE id = ?"),
         {deleted ? QVariant(nowMs()) : QVariant(QMetaType(QMetaType::LongLong)), id});
}

void ConversationStore::purgeDeleted() {
    exec(QStringLiteral("DELETE FROM conversations WHERE deleted_at IS NOT NULL"));
}

qint64 ConversationStore::addMessage(const MessageRecord& m) {
    QSqlQuery q = exec(QStringLiteral("INSERT INTO messages(conversation_id, parent_id, role, content, created_at, model, "
                                      "token_count, tokens_per_second, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                       {m.conversationId, m.parentId ? QVariant(m.parentId) : QVariant(QMetaType(QMetaType::LongLong)),
                        text(m.role), text(m.content), m.createdAt ? m.createdAt : nowMs(), text(m.model), m.tokenCount,
                        m.tokensPerSecond, int(m.state)});
    return q.lastInsertId().toLongLong();
}

void ConversationStore::updateMessageText(qint64 id, const QString& content, MessageState state) {
    exec(QStringLiteral("UPDATE messages SET content = ?, state = ? WHERE id = ?"), {text(content), int(state), id});
}

void ConversationStore::finishMessage(qint64 id, const QString& content, MessageState state, int tokenCount,
                                      double tokensPerSecond) {
    exec(QStringLiteral("UPDATE messages SET content = ?, state = ?, token_count = ?, tokens_per_second = ? WHERE id = ?"),
         {text(content), int(state), tokenCount, tokensPerSecond, id});
}

void ConversationStore::deleteMessage(qint64 id) {
    exec(QStringLiteral("DELETE FROM messages WHERE id = ?"), {id});
}

QVector<MessageRecord> ConversationStore::messages(qint64 conversationId) const {
    QSqlQuery q = exec(QStringLiteral("SELECT id, conversation_id, parent_id, role, content, created_at, model, token_count, "
                                      "tokens_per_second, state FROM messages WHERE conversation_id = ? ORDER BY id"),
                       {conversationId});
    QVector<MessageRecord> out;
    while (q.next()) {
        MessageRecord m;
        m.id = q.value(0).toLongLong();
        m.conversationId = q.value(1).toLongLong();
        m.parentId = q.value(2).toLongLong();
        m.role = q.value(3).toString();
        m.content = q.value(4).toString();
        m.createdAt = q.value(5).toLongLong();
        m.model = q.value(6).toString();
        m.tokenCount = q.value(7).toInt();
        m.tokensPerSecond = q.value(8).toDouble();
        m.state = MessageState(q.value(9).toInt());
        out.push_back(m);
    }
    return out;
}

QVector<SearchHit> ConversationStore::search(const QString& text, int limit) const {
    QVector<SearchHit> out;
    const QString query = ftsQuery(text);
    if (query.isEmpty()) return out;
    // Titles first (a matching title is the best hit), then message text by relevance.
    QSqlQuery t = exec(QStringLiteral("SELECT id, title, updated_at FROM conversations WHERE deleted_at IS NULL AND "
                                      "title LIKE ? ESCAPE '\\' ORDER BY updated_at DESC LIMIT ?"),
                       {QStringLiteral("%%1%").arg(QString(text.trimmed()).replace(QLatin1String("\\"), QLatin1String("\\\\"))
                                                        .replace(QLatin1String("%"), QLatin1String("\\%"))
                                                        .replace(QLatin1String("_"), QLatin1String("\\_"))),
                        limit});
    while (t.next()) {
        SearchHit h;
        h.conversationId = t.value(0).toLongLong();
        h.title = t.value(1).toString();
        h.snippetHtml = h.title.toHtmlEscaped();
        h.updatedAt = t.value(2).toLongLong();
        out.push_back(h);
    }
    QSqlQuery q = exec(QStringLiteral("SELECT m.conversation_id, m.id, c.title, "
                                      "snippet(messages_fts, 0, char(2), char(3), '…', 12), c.updated_at "
                                      "FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid "
                                      "JOIN conversations c ON c.id = m.conversation_id "
                                      "WHERE messages_fts MATCH ? AND c.deleted_at IS NULL ORDER BY rank LIMIT ?"),
                       {query, limit});
    while (q.next()) {
        SearchHit h;
        h.conversationId = q.value(0).toLongLong();
        h.messageId = q.value(1).toLongLong();
        h.title = q.value(2).toString();
        h.snippetHtml = markedToHtml(q.value(3).toString());
        h.updatedAt = q.value(4).toLongLong();
        out.push_back(h);
    }
    return out;
}

}  // namespace tern::app
