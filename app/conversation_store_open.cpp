// ConversationStore, continued: opening the history and recovering it under faults. See
// conversation_store_open.h for what is decided here.
#include "app/conversation_store_open.h"

#include "app/conversation_store.h"
#include "app/schema_migrations.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStorageInfo>
#include <QUrl>

namespace tern::app {
namespace {

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

}  // namespace

bool isReadOnlyError(const QSqlError& e) { return primaryCode(e) == kSqliteReadOnly; }

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

namespace {

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

}  // namespace

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

}  // namespace tern::app
