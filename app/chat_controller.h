#pragma once
// The open conversation: its messages on screen, sending, streaming replies into the store and
// the message list, stop, regenerate, edit-as-branch and version switching. Lives on the GUI
// thread and talks to the inference worker only through queued calls and signals.
//
// Durability: the user's message is committed before the request leaves; the reply row exists
// from the start (state Streaming) and its text is written at most every 250 ms while it grows,
// then finalised. A crash loses at most the last quarter second of a reply.
#include "app/conversation_store.h"
#include "app/inference_types.h"
#include "app/message_list_model.h"
#include "app/message_tree.h"

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

class ChatController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by the application")
    Q_PROPERTY(MessageListModel* messages READ messages CONSTANT)
    Q_PROPERTY(qint64 conversationId READ conversationId NOTIFY conversationChanged)
    Q_PROPERTY(QString title READ title NOTIFY conversationChanged)
    Q_PROPERTY(bool generating READ generating NOTIFY generatingChanged)
    Q_PROPERTY(QVariantList notices READ notices NOTIFY noticeChanged)
    Q_PROPERTY(double tokensPerSecond READ tokensPerSecond NOTIFY statsChanged)
    Q_PROPERTY(int contextUsed READ contextUsed NOTIFY statsChanged)
    Q_PROPERTY(QString statsNote READ statsNote NOTIFY statsChanged)
    Q_PROPERTY(QVariantMap conversationSettings READ conversationSettings NOTIFY conversationChanged)
public:
    ChatController(ConversationStore* store, InferenceWorker* worker, ModelController* models, AppSettings* settings,
                   QObject* parent = nullptr);
    ~ChatController() override;

    MessageListModel* messages() { return &messages_; }
    qint64 conversationId() const { return conversationId_; }
    QString title() const;
    bool generating() const { return active_.id != 0; }
    // Errors and news waiting for the user, oldest first; notice() is the newest (or empty).
    QVariantList notices() const { return notices_; }
    QVariantMap notice() const { return notices_.isEmpty() ? QVariantMap() : notices_.back().toMap(); }
    double tokensPerSecond() const { return tokensPerSecond_; }
    int contextUsed() const { return contextUsed_; }
    QString statsNote() const { return statsNote_; }
    QVariantMap conversationSettings() const;
    qint64 streamingMessageId() const { return active_.messageId; }
    void setFlushIntervalMs(int ms) { flushTimer_.setInterval(ms); }

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
    Q_INVOKABLE void applySettings(const QVariantMap& settings);  // this conversation only
    Q_INVOKABLE void saveSettingsAsDefaults(const QVariantMap& settings);
    Q_INVOKABLE void resetSettings();
    Q_INVOKABLE void copyText(const QString& text) const;
    Q_INVOKABLE void dismissNotice(int index);
    Q_INVOKABLE QString exportText(const QString& format) const;  // "markdown" or "json"
    Q_INVOKABLE bool exportToFile(const QUrl& file, const QString& format);

public slots:
    void showNotice(const QString& title, const QString& detail, const QString& kind = QStringLiteral("error"));
    void onConversationDeleted(qint64 id);

signals:
    void conversationChanged();
    void conversationsChanged();  // titles or order changed: the sidebar reloads
    void generatingChanged();
    void noticeChanged();
    void statsChanged();
    void scrollToRow(int row);

private:
    struct Active {
        quint64 id = 0;
        qint64 conversationId = 0;
        qint64 messageId = 0;
        QString text;
        bool dirty = false;
    };
    void reload(qint64 leafId);
    void startReply(qint64 userMessageId);
    void flush();
    void onText(quint64 id, const QString& text);
    void onFinished(const GenerationStats& stats);
    void onFailed(quint64 id, int kind, const QString& message);
    void storeFailed(const StoreError& e, const QString& what);
    GenerationSettings effectiveSettings(const ConversationRecord& c) const;
    QString effectiveSystemPrompt(const ConversationRecord& c) const;

    ConversationStore* store_;
    InferenceWorker* worker_;
    ModelController* models_;
    AppSettings* settings_;
    MessageListModel messages_;
    MessageTree tree_;
    qint64 conversationId_ = 0;
    Active active_;
    quint64 nextRequestId_ = 1;
    QTimer flushTimer_;
    QVariantList notices_;
    double tokensPerSecond_ = 0;
    int contextUsed_ = 0;
    QString statsNote_;
};

// A conversation title from its first message: the first line, cut at a word near 60 chars.
QString autoTitle(const QString& firstMessage);

}  // namespace tern::app
