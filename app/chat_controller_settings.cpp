// ChatController, continued: the open conversation's settings (system prompt, sampling) on top
// of the app-wide defaults, copying, and export. Kept apart from the streaming logic.
#include "app/app_settings.h"
#include "app/chat_controller.h"
#include "app/conversation_export.h"
#include "app/model_controller.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QSaveFile>
#include <QUrl>

namespace tern::app {

QVariantMap ChatController::conversationSettings() const {
    ConversationRecord c;
    if (conversationId_) store_->conversation(conversationId_, &c);
    QVariantMap map = effectiveSettings(c).toVariantMap();
    map.insert(QStringLiteral("systemPrompt"), effectiveSystemPrompt(c));
    map.insert(QStringLiteral("customized"), c.hasSystemPrompt || !c.settings.isEmpty());
    return map;
}

void ChatController::applySettings(const QVariantMap& map) {
    try {
        if (!conversationId_) {
            conversationId_ = store_->createConversation(models_->currentName());
            emit conversationsChanged();
        }
        const GenerationSettings s = GenerationSettings::fromVariantMap(map, settings_->generation());
        store_->setSettings(conversationId_, s.differencesFrom(settings_->generation()));
        const QString prompt = map.value(QStringLiteral("systemPrompt")).toString();
        store_->setSystemPrompt(conversationId_, prompt != settings_->systemPrompt(), prompt);
    } catch (const StoreError& e) {
        storeFailed(e, QStringLiteral("the settings"));
    }
    emit conversationChanged();
}

void ChatController::saveSettingsAsDefaults(const QVariantMap& map) {
    settings_->setGeneration(GenerationSettings::fromVariantMap(map, settings_->generation()));
    if (map.contains(QStringLiteral("systemPrompt"))) settings_->setSystemPrompt(map.value(QStringLiteral("systemPrompt")).toString());
    applySettings(map);  // now equal to the defaults, so the conversation stores no overrides
}

void ChatController::resetSettings() {
    if (!conversationId_) return;
    try {
        store_->setSettings(conversationId_, {});
        store_->setSystemPrompt(conversationId_, false, {});
    } catch (const StoreError& e) {
        storeFailed(e, QStringLiteral("the settings"));
    }
    emit conversationChanged();
}

void ChatController::copyText(const QString& text) const {
    if (QClipboard* cb = QGuiApplication::clipboard()) cb->setText(text);
}

QString ChatController::exportText(const QString& format) const {
    ConversationRecord c;
    if (!conversationId_ || !store_->conversation(conversationId_, &c)) return {};
    const QVector<MessageRecord> path = tree_.pathTo(c.currentLeafId);
    if (format == QLatin1String("json"))
        return QString::fromUtf8(exportJson(c, store_->messages(conversationId_), path, effectiveSystemPrompt(c)));
    return exportMarkdown(c, path, effectiveSystemPrompt(c));
}

bool ChatController::exportToFile(const QUrl& file, const QString& format) {
    const QString text = exportText(format);
    QSaveFile f(file.isLocalFile() ? file.toLocalFile() : file.toString());
    if (text.isEmpty() || !f.open(QIODevice::WriteOnly) || f.write(text.toUtf8()) < 0 || !f.commit()) {
        showNotice(QStringLiteral("Export failed"),
                   QStringLiteral("Could not write %1 (%2). Pick another folder, or free some disk space.")
                       .arg(f.fileName(), f.errorString()));
        return false;
    }
    showNotice(QStringLiteral("Exported"), QStringLiteral("Saved to %1").arg(f.fileName()), QStringLiteral("info"));
    return true;
}

}  // namespace tern::app
