#pragma once
// Opening the history and recovering it under faults (ConversationStore::open and its helpers,
// in conversation_store_open.cpp): a read-only file, folder or mount opens read-only (immutable
// when not even a -shm can be made), a file SQLite calls damaged is moved aside and a new one
// started, a full disk at start leaves the history readable. Kept apart from the store's reads
// and writes, which share only this: what an error from SQLite means.
#include <QSqlError>

namespace tern::app {

// The write was refused because the connection is read-only (SQLITE_READONLY).
bool isReadOnlyError(const QSqlError& e);
// The disk is full (SQLITE_FULL, or an I/O error that says so).
bool isDiskFull(const QSqlError& e);
// SQLite's own verdict that the file is damaged (SQLITE_CORRUPT, SQLITE_NOTADB).
bool isDamaged(const QSqlError& e);

}  // namespace tern::app
