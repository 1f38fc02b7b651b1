#pragma once
// The open conversation: its messages on screen, sending, streaming replies into the store and
// the message list, stop, regenerate, edit-as-branch and version switching. Lives on the GUI
// thread and talks to the inference worker only through queued calls and signals.
//
// Replies run one at a time (the worker has one engine); ReplyQueue keeps which one runs and which
// wait in line. "Busy" is per chat, so only the chat that is writing shows Stop, and the sidebar
// marks the one writing or waiting.
//
// Durability: the user's message is committed before the request leaves; the reply row exists
// from the start (state Streaming) and its text is written at most every 250 ms while it grows,
// then finalised. A crash loses at most the last quarter second of a reply.
#include "app/chat_settings.h"
#include "app/conversation_store.h"
#include "app/draft_store.h"
#include "app/inference_types.h"
#include "app/message_list_model.h"
#include "app/message_tree.h"
#include "app/reply_queue.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <QVariantList>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

namespace tern::app {

class AppSettings;
class InferenceWorker;
class ModelController;
class NoticeService;

class ChatController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by the application")
    Q_PROPERTY(MessageListModel* messages READ messages CONSTANT)
    Q_PROPERTY(qint64 conversationId READ conversationId NOTIFY conversationChanged)
    Q_PROPERTY(QString title READ title NOTIFY titleChanged)
    // The open conversation has a reply being written or waiting in line (not: any conversation).
    Q_PROPERTY(bool generating READ generating NOTIFY generatingChanged)
    Q_PROPERTY(bool waiting READ waiting NOTIFY generatingChanged)
    // Every busy conversation: id (as a string key) -> "writing" or "waiting". For the sidebar.
    Q_PROPERTY(QVariantMap busyConversations READ busyConversations NOTIFY generatingChanged)
    // The unsent text of the open conversation; kept per conversation and across restarts.
    Q_PROPERTY(QString draft READ draft WRITE setDraft NOTIFY draftChanged)
    Q_PROPERTY(double tokensPerSecond READ tokensPerSecond NOTIFY statsChanged)
    Q_PROPERTY(int contextUsed READ contextUsed NOTIFY statsChanged)
    Q_PROPERTY(QString statsNote READ statsNote NOTIFY statsChanged)
public:
    // notices: where errors and news go (nullptr: a service of its own, for tests).
    ChatController(ConversationStore* store, InferenceWorker* worker, ModelController* models, AppSettings* settings,
                   NoticeService* notices = nullptr, QObject* parent = nullptr);
    ~ChatController() override;

    MessageListModel* messages() { return &messages_; }
    qint64 conversationId() const { return conversationId_; }
    QString title() const;
    bool generating() const { return busy(conversationId_); }
    bool waiting() const;
    bool busy(qint64 conversationId) const { return replies_.busy(conversationId); }
    QVariantMap busyConversations() const { return replies_.busyConversations(); }
    QString draft() const { return drafts_.get(conversationId_); }
    void setDraft(const QString& text);
    NoticeService* noticeService() const { return notices_; }
    // The notices the window shows now, oldest first; notice() is the newest (or empty).
    QVariantList notices() const;
    QVariantMap notice() const;
    double tokensPerSecond() const { return tokensPerSecond_; }
    int contextUsed() const { return contextUsed_; }
    QString statsNote() const { return statsNote_; }
    qint64 streamingMessageId() const { return replies_.runningJob().messageId; }

    Q_INVOKABLE void newConversation();
    Q_INVOKABLE void selectConversation(qint64 id);
    // Sends text as the user's next message; false (text kept by the caller) if it was not sent.
    Q_INVOKABLE bool send(const QString& text);
    Q_INVOKABLE void stop();
    Q_INVOKABLE void regenerate(qint64 assistantMessageId);
    Q_INVOKABLE bool editMessage(qint64 userMessageId, const QString& text);
    Q_INVOKABLE void switchVersion(qint64 messageId, int delta);
    // Shows the branch that contains messageId and returns its row (for scrolling), or -1.
    Q_INVOKABLE int revealMessage(qint64 conversationId, qint64 messageId);
    // Settings of one conversation (0: the new chat), on top of the defaults. The dialog keeps the
    // id it was opened for, so switching chats while it is open cannot send edits elsewhere.
    Q_INVOKABLE tern::app::ChatSettings settingsFor(qint64 conversationId) const;
    // Stores what differs from the defaults; conversation 0 is created first (if it is the open
    // new chat). Returns the conversation's id, 0 on failure.
    Q_INVOKABLE qint64 applySettings(qint64 conversationId, const tern::app::ChatSettings& settings);
    Q_INVOKABLE qint64 saveSettingsAsDefaults(qint64 conversationId, const tern::app::ChatSettings& settings);
    Q_INVOKABLE void resetSettings(qint64 conversationId);
    Q_INVOKABLE void copyText(const QString& text) const;

public slots:
    void onConversationDeleted(qint64 id);
    void onConversationRenamed(qint64 id);

signals:
    void conversationChanged();
    void titleChanged();
    void draftChanged();
    void settingsChanged(qint64 conversationId);
    void conversationsChanged();  // titles or order changed: the sidebar reloads
    void generatingChanged();
    void statsChanged();
    void scrollToRow(int row);

private:
    void reload(qint64 leafId);
    void startReply(qint64 userMessageId);
    void launch(const GenerationRequest& request);
    void startNext();
    void discardUnstarted(const ReplyJob& job);
    void setOpen(qint64 conversationId);
    void notify(qint64 conversationId, const QString& title, const QString& detail, bool info = false,
                const QString& model = {});
    void flush();
    void onText(quint64 id, const QString& text);
    void onFinished(const GenerationStats& stats);
    void onFailed(quint64 id, int kind, const QString& message);
    void storeFailed(const StoreError& e, const QString& what, qint64 conversationId);
    GenerationSettings effectiveSettings(const ConversationRecord& c) const;
    QString effectiveSystemPrompt(const ConversationRecord& c) const;

    ConversationStore* store_;
    InferenceWorker* worker_;
    ModelController* models_;
    AppSettings* settings_;
    MessageListModel messages_;
    MessageTree tree_;
    qint64 conversationId_ = 0;
    ReplyQueue replies_;  // the reply the worker is writing and those in line behind it
    QTimer flushTimer_;
    NoticeService* notices_;
    DraftStore drafts_;
    double tokensPerSecond_ = 0;
    int contextUsed_ = 0;
    QString statsNote_;
};

// A conversation title from its first message: the first line, cut at a word near 60 chars.
QString autoTitle(const QString& firstMessage);

}  // namespace tern::app
