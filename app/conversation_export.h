#pragma once
// Exports one conversation: Markdown (the branch on screen, for reading and sharing) and JSON
// (every branch with its tree links and statistics, for tools and backups).
#include "app/conversation_store.h"

#include <QByteArray>
#include <QString>

namespace tern::app {

QString exportMarkdown(const ConversationRecord& conversation, const QVector<MessageRecord>& path,
                       const QString& systemPrompt);
QByteArray exportJson(const ConversationRecord& conversation, const QVector<MessageRecord>& all,
                      const QVector<MessageRecord>& path, const QString& systemPrompt);

}  // namespace tern::app
