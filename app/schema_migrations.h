#pragma once
// The history database's schema, as numbered migrations. PRAGMA user_version records how many
// have been applied; migration N takes the schema from version N-1 to N. Never edit a migration
// that has shipped: add a new one, and a test that upgrades from the version before it.
#include <QString>

class QSqlDatabase;

namespace tern::app {

constexpr int kSchemaVersion = 3;

// PRAGMA user_version, or -1 if it cannot be read (not a database, unreadable file).
int schemaVersion(QSqlDatabase& db);

// Applies migrations current+1 .. target in one transaction each. Returns "" on success or the
// SQL error. Tests call it with target < kSchemaVersion to build databases of older versions.
QString migrate(QSqlDatabase& db, int target = kSchemaVersion);

}  // namespace tern::app
