#include "app/conversation_export.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace tern::app {
namespace {

// The Markdown export is read by people: its headings and labels are translated. (The JSON
// export's keys and state names are data and stay as they are.)
struct MarkdownText {
    Q_DECLARE_TR_FUNCTIONS(ConversationExport)
};

QString isoTime(qint64 ms) {
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

const char* stateName(MessageState s) {
    switch (s) {
        case MessageState::Complete: return "complete";
        case MessageState::Streaming: return "streaming";
        case MessageState::Stopped: return "stopped";
        case MessageState::Interrupted: return "interrupted";
    }
    return "complete";
}

}  // namespace

QString exportMarkdown(const ConversationRecord& c, const QVector<MessageRecord>& path, const QString& systemPrompt) {
    QString md = QStringLiteral("# %1\n\n").arg(c.title.isEmpty() ? MarkdownText::tr("Conversation") : c.title);
    md += QStringLiteral("_%1_\n\n").arg(MarkdownText::tr("Model: %1 · started %2")
              .arg(c.model.isEmpty() ? MarkdownText::tr("unknown") : c.model,
                   QDateTime::fromMSecsSinceEpoch(c.createdAt).toString(QStringLiteral("yyyy-MM-dd hh:mm"))));
    if (!systemPrompt.trimmed().isEmpty()) {
        // A blockquote keeps the prompt's own Markdown from merging with the headings around it.
        QString quoted = systemPrompt.trimmed();
        quoted.replace(QLatin1Char('\n'), QStringLiteral("\n> "));
        md += QStringLiteral("**%1**\n\n> %2\n\n").arg(MarkdownText::tr("System prompt"), quoted);
    }
    for (const MessageRecord& m : path) {
        md += QStringLiteral("## %1\n\n").arg(m.role == QLatin1String("user") ? MarkdownText::tr("You") : MarkdownText::tr("Assistant"));
        md += m.content.trimmed();
        if (m.state == MessageState::Stopped) md += QStringLiteral("\n\n_%1_").arg(MarkdownText::tr("(stopped)"));
        if (m.state == MessageState::Interrupted) md += QStringLiteral("\n\n_%1_").arg(MarkdownText::tr("(interrupted)"));
        md += QStringLiteral("\n\n");
    }
    return md;
}

QByteArray exportJson(const ConversationRecord& c, const QVector<MessageRecord>& all, const QVector<MessageRecord>& path,
                      const QString& systemPrompt) {
    QJsonArray messages;
    for (const MessageRecord& m : all) {
        messages.append(QJsonObject{
            {QStringLiteral("id"), m.id},
            {QStringLiteral("parent_id"), m.parentId ? QJsonValue(m.parentId) : QJsonValue()},
            {QStringLiteral("role"), m.role},
            {QStringLiteral("content"), m.content},
            {QStringLiteral("created_at"), isoTime(m.createdAt)},
            {QStringLiteral("model"), m.model},
            {QStringLiteral("token_count"), m.tokenCount},
            {QStringLiteral("tokens_per_second"), m.tokensPerSecond},
            {QStringLiteral("state"), QLatin1String(stateName(m.state))},
        });
    }
    QJsonArray current;
    for (const MessageRecord& m : path) current.append(m.id);
    QJsonObject root{
        {QStringLiteral("format"), QStringLiteral("tern-conversation")},
        {QStringLiteral("version"), 1},
        {QStringLiteral("title"), c.title},
        {QStringLiteral("created_at"), isoTime(c.createdAt)},
        {QStringLiteral("updated_at"), isoTime(c.updatedAt)},
        {QStringLiteral("model"), c.model},
        {QStringLiteral("system_prompt"), systemPrompt},
        {QStringLiteral("settings"), c.settings},
        {QStringLiteral("current_path"), current},
        {QStringLiteral("messages"), messages},
    };
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

}  // namespace tern::app
