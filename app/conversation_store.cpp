#include "app/conversation_store.h"

#include "app/conversation_store_open.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlError>
#include <QStandardPaths>
#include <QVariant>
#include <atomic>

namespace tern::app {
namespace {

std::atomic<int> g_connections{0};

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

[[noreturn]] void ConversationStore::fail(const QSqlError& error) const {
    if (readOnly_ && isReadOnlyError(error))
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
