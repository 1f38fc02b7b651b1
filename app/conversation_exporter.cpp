#include "app/conversation_exporter.h"

#include "app/app_settings.h"
#include "app/conversation_export.h"
#include "app/conversation_store.h"
#include "app/message_tree.h"
#include "app/notice_service.h"

#include <QDir>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>

namespace tern::app {

ConversationExporter::ConversationExporter(ConversationStore* store, AppSettings* settings, NoticeService* notices,
                                           QObject* parent)
    : QObject(parent), store_(store), settings_(settings), notices_(notices) {}

QString ConversationExporter::text(qint64 conversationId, const QString& format) const {
    ConversationRecord c;
    if (!conversationId || !store_->conversation(conversationId, &c)) return {};
    const QVector<MessageRecord> all = store_->messages(conversationId);
    const QVector<MessageRecord> path = MessageTree(all).pathTo(c.currentLeafId);
    const QString prompt = c.hasSystemPrompt ? c.systemPrompt : settings_->systemPrompt();
    if (format == QLatin1String("json")) return QString::fromUtf8(exportJson(c, all, path, prompt));
    return exportMarkdown(c, path, prompt);
}

bool ConversationExporter::save(qint64 conversationId, const QUrl& file, const QString& format) {
    const QString body = text(conversationId, format);
    QSaveFile f(file.isLocalFile() ? file.toLocalFile() : file.toString());
    if (body.isEmpty() || !f.open(QIODevice::WriteOnly) || f.write(body.toUtf8()) < 0 || !f.commit()) {
        notices_->postForConversation(conversationId, tr("Export failed"),
                                      tr("Could not write %1 (%2). Pick another folder, or free some disk space.")
                                          .arg(QDir::toNativeSeparators(f.fileName()), f.errorString()));
        return false;
    }
    // Same title each time: a second export refreshes this card instead of adding another.
    notices_->postForConversation(conversationId, tr("Exported"), tr("Saved to %1").arg(QDir::toNativeSeparators(f.fileName())),
                                  Notice::Info);
    return true;
}

QUrl ConversationExporter::defaultFolder() const {
    QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (dir.isEmpty() || !QDir(dir).exists()) dir = QDir::homePath();
    return QUrl::fromLocalFile(dir);
}

QString ConversationExporter::safeFileName(const QString& title) {
    // Reserved on Windows or macOS, or path separators anywhere; control characters too.
    static const QRegularExpression bad(QStringLiteral("[<>:\"/\\\\|?*\\x00-\\x1f]"));
    QString name = title;
    name.replace(bad, QStringLiteral("-"));
    name = name.simplified();
    while (name.endsWith(QLatin1Char('.')) || name.endsWith(QLatin1Char(' '))) name.chop(1);  // Windows drops them
    if (name.size() > 80) name = name.left(80).trimmed();
    return name.isEmpty() ? tr("Conversation") : name;
}

QString ConversationExporter::suggestedFileName(qint64 conversationId, const QString& format) const {
    ConversationRecord c;
    if (conversationId) store_->conversation(conversationId, &c);
    return safeFileName(c.title) + (format == QLatin1String("json") ? QStringLiteral(".json") : QStringLiteral(".md"));
}

QUrl ConversationExporter::target(const QUrl& folder, const QString& name, const QString& format) const {
    const QString suffix = format == QLatin1String("json") ? QStringLiteral(".json") : QStringLiteral(".md");
    QString file = name.trimmed();
    if (!file.endsWith(suffix, Qt::CaseInsensitive)) file += suffix;
    const QString dir = folder.isLocalFile() ? folder.toLocalFile() : folder.toString();
    return QUrl::fromLocalFile(QDir(dir).filePath(file));
}

}  // namespace tern::app
