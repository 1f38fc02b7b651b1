#include "app/schema_migrations.h"

#include <QCoreApplication>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

namespace tern::app {
namespace {

// Each entry is one migration; statements are separated by lines holding only ";;" because
// trigger bodies contain semicolons of their own.
const char* const kMigrations[] = {
    // 1: conversations and messages as a tree. Times are milliseconds since the epoch (UTC).
    // state: 0 complete, 1 streaming (a reply being written; left so by a crash), 2 stopped by
    // the user, 3 interrupted (found streaming at start-up).
    R"sql(
CREATE TABLE conversations(
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL DEFAULT '',
  title_is_auto INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  model TEXT NOT NULL DEFAULT '',
  system_prompt TEXT,
  settings TEXT NOT NULL DEFAULT '{}',
  current_leaf_id INTEGER
)
;;
CREATE TABLE messages(
  id INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK(role IN ('system', 'user', 'assistant')),
  content TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  model TEXT NOT NULL DEFAULT '',
  token_count INTEGER NOT NULL DEFAULT 0,
  tokens_per_second REAL NOT NULL DEFAULT 0,
  state INTEGER NOT NULL DEFAULT 0
)
;;
CREATE INDEX messages_by_conversation ON messages(conversation_id, parent_id)
;;
CREATE INDEX conversations_by_update ON conversations(updated_at)
)sql",
    // 2: full-text search over message content, kept in step by triggers (external content
    // table, so the text is stored once). 'rebuild' indexes messages written before v2.
    R"sql(
CREATE VIRTUAL TABLE messages_fts USING fts5(content, content='messages', content_rowid='id',
                                            tokenize='unicode61 remove_diacritics 2')
;;
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END
;;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END
;;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
  INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END
;;
INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')
)sql",
    // 3: deleting a conversation first hides it (deleted_at), so the user can undo; hidden
    // conversations are removed for good at the next start.
    R"sql(
ALTER TABLE conversations ADD COLUMN deleted_at INTEGER
)sql",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kSchemaVersion,
              "one migration per schema version");

}  // namespace

int schemaVersion(QSqlDatabase& db) {
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next()) return -1;
    return q.value(0).toInt();
}

QString migrate(QSqlDatabase& db, int target) {
    const int current = schemaVersion(db);
    if (current < 0) return db.lastError().text().isEmpty() ? QCoreApplication::translate("SchemaMigrations", "cannot read the schema version")
                                                             : db.lastError().text();
    for (int v = current + 1; v <= target && v <= kSchemaVersion; ++v) {
        if (!db.transaction()) return db.lastError().text();
        QSqlQuery q(db);
        const QStringList statements = QString::fromUtf8(kMigrations[v - 1]).split(QStringLiteral("\n;;\n"));
        for (const QString& sql : statements) {
            if (sql.trimmed().isEmpty()) continue;
            if (!q.exec(sql)) {
                const QString error = QStringLiteral("migration %1: %2").arg(v).arg(q.lastError().text());
                db.rollback();
                return error;
            }
        }
        // PRAGMA does not take bound parameters; v is an integer we control.
        if (!q.exec(QStringLiteral("PRAGMA user_version = %1").arg(v)) || !db.commit()) {
            const QString error = q.lastError().text();
            db.rollback();
            return error;
        }
    }
    return {};
}

}  // namespace tern::app
