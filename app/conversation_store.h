#pragma once
// Conversation history in SQLite: conversations, messages as a tree, full-text search. Used from
// the GUI thread only (its writes are small and SQLite in WAL mode does them in well under a
// millisecond). Write failures throw StoreError so callers can tell the user and keep the text.
#include <QCoreApplication>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QVector>

#include <stdexcept>

namespace tern::app {

class StoreError : public std::runtime_error {
public:
    StoreError(const QString& message, bool diskFull)
        : std::runtime_error(message.toStdString()), diskFull_(diskFull) {}
    bool diskFull() const { return diskFull_; }

private:
    bool diskFull_;
};

enum class MessageState { Complete = 0, Streaming = 1, Stopped = 2, Interrupted = 3 };

struct ConversationRecord {
    qint64 id = 0;
    QString title;
    bool titleIsAuto = true;
    qint64 createdAt = 0;  // ms since the epoch, UTC
    qint64 updatedAt = 0;
    QString model;
    bool hasSystemPrompt = false;  // false: the app-wide default applies
    QString systemPrompt;
    QJsonObject settings;  // sampling overrides; missing keys take the app-wide defaults
    qint64 currentLeafId = 0;
};

struct MessageRecord {
    qint64 id = 0;
    qint64 conversationId = 0;
    qint64 parentId = 0;  // 0: first message of the conversation
    QString role;         // "user", "assistant" (system prompts live on the conversation)
    QString content;
    qint64 createdAt = 0;
    QString model;
    int tokenCount = 0;
    double tokensPerSecond = 0;
    MessageState state = MessageState::Complete;
};

struct SearchHit {
    qint64 conversationId = 0;
    qint64 messageId = 0;  // 0 when the title matched
    QString title;
    QString snippetHtml;  // escaped text, matches in <b>
    qint64 updatedAt = 0;
};

struct OpenReport {
    // Recovered: the file was damaged, moved aside, a new history started. ReadOnly: the history
    // can be read (and exported) but not written: a read-only file, folder or mount, a full disk,
    // an I/O error on write. NewerSchema, Failed: nothing could be read; the store is in memory.
    enum Status { Ok, Recovered, NewerSchema, Failed, ReadOnly };
    Status status = Ok;
    QString message;  // for the user, a few short sentences; empty when Ok
    QString movedTo;  // where a damaged file was moved (Recovered)
};

class ConversationStore {
    Q_DECLARE_TR_FUNCTIONS(ConversationStore)

public:
    ConversationStore();
    ~ConversationStore();
    ConversationStore(const ConversationStore&) = delete;
    ConversationStore& operator=(const ConversationStore&) = delete;

    // Opens (creating and migrating as needed) the database at path; never throws. Only a file
    // SQLite calls damaged (SQLITE_CORRUPT, SQLITE_NOTADB) is moved aside and a new one started.
    // A history that cannot be written (permissions, read-only mount, full disk, I/O errors) is
    // opened read-only and left exactly as it is. When nothing can be read, or the schema is
    // newer, the store works in memory so the app stays usable.
    OpenReport open(const QString& path);
    // The default location: <AppDataLocation>/history.sqlite3.
    static QString defaultPath();
    bool persistent() const { return persistent_; }
    // Opened read-only: every write throws StoreError saying so.
    bool readOnly() const { return readOnly_; }
    QSqlDatabase& database() { return db_; }

    qint64 createConversation(const QString& model);
    QVector<ConversationRecord> conversations() const;  // not deleted, newest first
    bool conversation(qint64 id, ConversationRecord* out) const;
    void renameConversation(qint64 id, const QString& title, bool automatic);
    void setCurrentLeaf(qint64 conversationId, qint64 leafId);
    void setConversationModel(qint64 id, const QString& model);
    void setSystemPrompt(qint64 id, bool custom, const QString& prompt);
    void setSettings(qint64 id, const QJsonObject& settings);
    void touch(qint64 id);  // updated_at = now
    void markDeleted(qint64 id, bool deleted);  // hidden until purgeDeleted(), so it can be undone
    void purgeDeleted();

    qint64 addMessage(const MessageRecord& m);  // id, createdAt filled in; returns the id
    void updateMessageText(qint64 id, const QString& content, MessageState state);
    void finishMessage(qint64 id, const QString& content, MessageState state, int tokenCount,
                       double tokensPerSecond);
    void deleteMessage(qint64 id);  // and its descendants
    QVector<MessageRecord> messages(qint64 conversationId) const;  // all branches, by id

    QVector<SearchHit> search(const QString& text, int limit = 50) const;

private:
    enum class Access { ReadWrite, ReadOnly, Immutable };
    QSqlQuery exec(const QString& sql, const QVariantList& args = {}) const;
    [[noreturn]] void fail(const QSqlError& error) const;
    bool openFile(const QString& path, Access access, QSqlError* error, QString* damage);
    bool openWritable(const QString& path, QSqlError* error, QString* damage);
    bool openReadOnly(const QString& path);
    void closeDatabase();
    bool writable(QSqlError* error);
    void openMemory();
    void configure();
    void enterReadOnly(const QString& reason);
    OpenReport finishOpen(const QString& path, bool existed, OpenReport report);

    QString connection_;
    mutable QSqlDatabase db_;
    bool persistent_ = false;
    bool readOnly_ = false;
    QString readOnlyReason_;  // for the error of a write attempted anyway
};

// Milliseconds since the epoch; one place so tests and the store agree.
qint64 nowMs();

}  // namespace tern::app
