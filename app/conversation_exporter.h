#pragma once
// Export of a saved conversation to a file, apart from the chat controller: what the export
// dialog proposes (the Documents folder, "<chat title>.md") and the writing itself, which reports
// success or failure as a notice on that conversation. The formats are in conversation_export.h.
#include <QObject>
#include <QString>
#include <QUrl>
#include <QtQml/qqmlregistration.h>

namespace tern::app {

class AppSettings;
class ConversationStore;
class NoticeService;

class ConversationExporter : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by the application")
public:
    ConversationExporter(ConversationStore* store, AppSettings* settings, NoticeService* notices, QObject* parent = nullptr);

    // "markdown" or "json"; empty if the conversation does not exist.
    Q_INVOKABLE QString text(qint64 conversationId, const QString& format) const;
    // Writes atomically; posts "Exported" or "Export failed" on the conversation.
    Q_INVOKABLE bool save(qint64 conversationId, const QUrl& file, const QString& format);
    // Where the dialog starts: the user's Documents folder (home if there is none).
    Q_INVOKABLE QUrl defaultFolder() const;
    // "<title>.md" or ".json", with characters no file system accepts replaced.
    Q_INVOKABLE QString suggestedFileName(qint64 conversationId, const QString& format) const;
    // The file the dialog writes: name in folder, with the format's suffix added if missing.
    Q_INVOKABLE QUrl target(const QUrl& folder, const QString& name, const QString& format) const;
    static QString safeFileName(const QString& title);

private:
    ConversationStore* store_;
    AppSettings* settings_;
    NoticeService* notices_;
};

}  // namespace tern::app
