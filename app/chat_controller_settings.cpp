// ChatController, continued: a conversation's settings (system prompt, sampling) on top of the
// app-wide defaults, and copying. Kept apart from the streaming logic. (Export is
// ConversationExporter's.)
#include "app/app_settings.h"
#include "app/chat_controller.h"
#include "app/model_controller.h"

#include <QClipboard>
#include <QGuiApplication>

namespace tern::app {

ChatSettings ChatController::settingsFor(qint64 conversationId) const {
    ConversationRecord c;
    if (conversationId) store_->conversation(conversationId, &c);
    return ChatSettings::from(effectiveSettings(c), effectiveSystemPrompt(c), c.hasSystemPrompt || !c.settings.isEmpty());
}

qint64 ChatController::applySettings(qint64 conversationId, const ChatSettings& s) {
    try {
        if (!conversationId) {
            // Settings for the new chat make it a saved (empty) conversation, the one on screen.
            conversationId = store_->createConversation(models_->currentName());
            if (!conversationId_) {
                setOpen(conversationId);
                emit conversationChanged();
            }
            emit conversationsChanged();
        }
        const GenerationSettings defaults = settings_->generation();
        store_->setSettings(conversationId, s.generation(defaults).differencesFrom(defaults));
        store_->setSystemPrompt(conversationId, s.systemPrompt != settings_->systemPrompt(), s.systemPrompt);
    } catch (const StoreError& e) {
        storeFailed(e, tr("the settings"), conversationId);
        return 0;
    }
    emit settingsChanged(conversationId);
    return conversationId;
}

qint64 ChatController::saveSettingsAsDefaults(qint64 conversationId, const ChatSettings& s) {
    settings_->setGeneration(s.generation(settings_->generation()));
    settings_->setSystemPrompt(s.systemPrompt);
    return applySettings(conversationId, s);  // now equal to the defaults, so the conversation stores no overrides
}

void ChatController::resetSettings(qint64 conversationId) {
    if (!conversationId) return;
    try {
        store_->setSettings(conversationId, {});
        store_->setSystemPrompt(conversationId, false, {});
    } catch (const StoreError& e) {
        storeFailed(e, tr("the settings"), conversationId);
    }
    emit settingsChanged(conversationId);
}

void ChatController::copyText(const QString& text) const {
    if (QClipboard* cb = QGuiApplication::clipboard()) cb->setText(text);
}

}  // namespace tern::app
