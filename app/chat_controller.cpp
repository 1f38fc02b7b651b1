#include "app/chat_controller.h"

#include "app/app_settings.h"
#include "app/inference_worker.h"
#include "app/model_controller.h"


namespace tern::app {

QString autoTitle(const QString& firstMessage) {
    QString line = firstMessage.trimmed().section(QLatin1Char('\n'), 0, 0).simplified();
    if (line.size() <= 60) return line;
    int cut = line.lastIndexOf(QLatin1Char(' '), 60);
    if (cut < 30) cut = 60;
    return line.left(cut).trimmed() + QStringLiteral("…");
}

ChatController::ChatController(ConversationStore* store, InferenceWorker* worker, ModelController* models,
                               AppSettings* settings, QObject* parent)
    : QObject(parent), store_(store), worker_(worker), models_(models), settings_(settings) {
    flushTimer_.setInterval(250);
    flushTimer_.setSingleShot(true);
    connect(&flushTimer_, &QTimer::timeout, this, &ChatController::flush);
    connect(worker_, &InferenceWorker::textGenerated, this, &ChatController::onText, Qt::QueuedConnection);
    connect(worker_, &InferenceWorker::generationFinished, this, &ChatController::onFinished, Qt::QueuedConnection);
    connect(worker_, &InferenceWorker::generationFailed, this, &ChatController::onFailed, Qt::QueuedConnection);
    connect(models_, &ModelController::stateChanged, this, &ChatController::statsChanged);
}

ChatController::~ChatController() {
    if (!active_.id) return;
    // Quitting mid-reply: keep what was written, as if the user had pressed Stop.
    worker_->requestStop(active_.id);
    try {
        store_->finishMessage(active_.messageId, active_.text, MessageState::Stopped, 0, 0);
    } catch (const StoreError&) {
        // Nothing to tell anyone any more; the last flushed text stays, marked interrupted.
    }
}

QString ChatController::title() const {
    ConversationRecord c;
    return conversationId_ && store_->conversation(conversationId_, &c) ? c.title : QString();
}

void ChatController::showNotice(const QString& title, const QString& detail, const QString& kind) {
    const QVariantMap n{{QStringLiteral("title"), title}, {QStringLiteral("detail"), detail}, {QStringLiteral("kind"), kind}};
    notices_.removeAll(n);  // the same problem twice is shown once, as the newest
    notices_.push_back(n);
    while (notices_.size() > 4) notices_.removeFirst();  // older ones have scrolled out of relevance
    emit noticeChanged();
}

void ChatController::dismissNotice(int index) {
    if (index < 0 || index >= notices_.size()) return;
    notices_.removeAt(index);
    emit noticeChanged();
}

void ChatController::storeFailed(const StoreError& e, const QString& what) {
    if (e.diskFull())
        showNotice(QStringLiteral("The disk is full"),
                   QStringLiteral("Tern could not save %1. Free some disk space, then try again.").arg(what));
    else
        showNotice(QStringLiteral("Could not save %1").arg(what),
                   QStringLiteral("%1\n\nTry again; if it keeps failing, restart Tern.").arg(QString::fromUtf8(e.what())));
}

void ChatController::newConversation() {
    conversationId_ = 0;
    contextUsed_ = 0;
    tokensPerSecond_ = 0;
    statsNote_.clear();
    emit statsChanged();
    tree_ = MessageTree();
    messages_.setRows({});
    emit conversationChanged();
}

void ChatController::selectConversation(qint64 id) {
    ConversationRecord c;
    if (!store_->conversation(id, &c)) return;
    if (id != conversationId_) {  // the statistics were those of another conversation's reply
        contextUsed_ = 0;
        tokensPerSecond_ = 0;
        statsNote_.clear();
        emit statsChanged();
    }
    conversationId_ = id;
    reload(c.currentLeafId);
    emit conversationChanged();
}

void ChatController::reload(qint64 leafId) {
    tree_ = MessageTree(store_->messages(conversationId_));
    QVector<MessageRow> rows;
    for (const MessageRecord& m : tree_.pathTo(leafId)) {
        MessageRow r{m, 1, 1};
        const QVector<qint64> sibs = tree_.siblings(m.id);
        r.versionCount = (int)sibs.size();
        r.versionIndex = (int)sibs.indexOf(m.id) + 1;
        // The database lags the stream by up to one flush interval: show the live text.
        if (m.id == active_.messageId) r.message.content = active_.text;
        rows.push_back(r);
    }
    messages_.setRows(rows);
}

GenerationSettings ChatController::effectiveSettings(const ConversationRecord& c) const {
    return settings_->generation().overriddenBy(c.settings);
}

QString ChatController::effectiveSystemPrompt(const ConversationRecord& c) const {
    return c.hasSystemPrompt ? c.systemPrompt : settings_->systemPrompt();
}

bool ChatController::send(const QString& text) {
    if (generating() || text.trimmed().isEmpty()) return false;
    if (!models_->loaded() && !models_->loading()) {
        showNotice(QStringLiteral("No model is loaded"),
                   QStringLiteral("Pick a model in the model picker at the top. Your message is still in the box."));
        return false;
    }
    try {
        if (!conversationId_) {
            conversationId_ = store_->createConversation(models_->currentName());
            tree_ = MessageTree();
            emit conversationChanged();
        }
        const qint64 parent = messages_.rowCount() ? messages_.rowAt(messages_.rowCount() - 1)->message.id : 0;
        MessageRecord m;
        m.conversationId = conversationId_;
        m.parentId = parent;
        m.role = QStringLiteral("user");
        m.content = text;
        const qint64 id = store_->addMessage(m);
        ConversationRecord c;
        if (store_->conversation(conversationId_, &c) && c.titleIsAuto && c.title.isEmpty())
            store_->renameConversation(conversationId_, autoTitle(text), true);
        startReply(id);
    } catch (const StoreError& e) {
        storeFailed(e, QStringLiteral("your message"));
        return false;
    }
    return true;
}

bool ChatController::editMessage(qint64 userMessageId, const QString& text) {
    const MessageRecord* old = tree_.find(userMessageId);
    if (generating() || !old || old->role != QLatin1String("user") || text.trimmed().isEmpty()) return false;
    try {
        MessageRecord m;
        m.conversationId = conversationId_;
        m.parentId = old->parentId;  // a sibling: the old branch stays reachable with ‹ ›
        m.role = QStringLiteral("user");
        m.content = text;
        startReply(store_->addMessage(m));
    } catch (const StoreError& e) {
        storeFailed(e, QStringLiteral("the edited message"));
        return false;
    }
    return true;
}

void ChatController::regenerate(qint64 assistantMessageId) {
    const MessageRecord* old = tree_.find(assistantMessageId);
    if (generating() || !old || old->role != QLatin1String("assistant") || !old->parentId) return;
    try {
        startReply(old->parentId);
    } catch (const StoreError& e) {
        storeFailed(e, QStringLiteral("the new reply"));
    }
}

void ChatController::startReply(qint64 userMessageId) {
    ConversationRecord c;
    store_->conversation(conversationId_, &c);
    MessageRecord reply;
    reply.conversationId = conversationId_;
    reply.parentId = userMessageId;
    reply.role = QStringLiteral("assistant");
    reply.model = models_->currentName();
    reply.state = MessageState::Streaming;
    const qint64 replyId = store_->addMessage(reply);
    store_->setCurrentLeaf(conversationId_, replyId);
    store_->setConversationModel(conversationId_, models_->currentName());
    store_->touch(conversationId_);

    active_ = Active{nextRequestId_++, conversationId_, replyId, QString(), false};
    reload(replyId);
    emit conversationsChanged();
    emit conversationChanged();
    emit generatingChanged();

    GenerationRequest request;
    request.id = active_.id;
    request.conversationId = conversationId_;
    request.systemPrompt = effectiveSystemPrompt(c);
    request.settings = effectiveSettings(c);
    for (const MessageRecord& m : tree_.pathTo(userMessageId))
        if (!m.content.isEmpty()) request.turns.push_back({m.role, m.content});
    QMetaObject::invokeMethod(worker_, [w = worker_, request] { w->generate(request); }, Qt::QueuedConnection);
    emit scrollToRow(messages_.rowCount() - 1);
}

void ChatController::stop() {
    if (active_.id) worker_->requestStop(active_.id);
}

void ChatController::onText(quint64 id, const QString& text) {
    if (id != active_.id) return;
    active_.text += text;
    active_.dirty = true;
    if (active_.conversationId == conversationId_) messages_.appendText(active_.messageId, text);
    if (!flushTimer_.isActive()) flushTimer_.start();
}

void ChatController::flush() {
    if (!active_.id || !active_.dirty) return;
    try {
        store_->updateMessageText(active_.messageId, active_.text, MessageState::Streaming);
        active_.dirty = false;
    } catch (const StoreError& e) {
        // Keep generating: the text is in memory and the final write tries again. (A repeated
        // notice is shown once.)
        storeFailed(e, QStringLiteral("the reply as it is written"));
    }
}

void ChatController::onFinished(const GenerationStats& stats) {
    if (stats.id != active_.id) return;
    flushTimer_.stop();
    const bool stopped = stats.reason == GenerationStats::Cancelled;
    // The engine's text is authoritative; the streamed text can only miss a final fragment.
    const QString text = stats.text.size() >= active_.text.size() ? stats.text : active_.text;
    MessageRecord m;
    m.id = active_.messageId;
    m.content = text;
    m.state = stopped ? MessageState::Stopped : MessageState::Complete;
    m.tokenCount = stats.generatedTokens;
    m.tokensPerSecond = stats.tokensPerSecond;
    m.model = models_->currentName();
    try {
        store_->finishMessage(m.id, text, m.state, m.tokenCount, m.tokensPerSecond);
        store_->touch(active_.conversationId);
    } catch (const StoreError& e) {
        storeFailed(e, QStringLiteral("the reply"));
    }
    const bool shown = active_.conversationId == conversationId_;
    active_ = Active();
    if (shown) messages_.updateMessage(m);
    tokensPerSecond_ = stats.tokensPerSecond;
    contextUsed_ = stats.contextUsed;
    statsNote_ = stats.droppedMessages
                     ? QStringLiteral("%1 oldest messages left out to fit the context").arg(stats.droppedMessages)
                     : (stats.reusedTokens ? QStringLiteral("%1 of %2 prompt tokens reused").arg(stats.reusedTokens).arg(stats.promptTokens)
                                           : QString());
    emit statsChanged();
    emit generatingChanged();
    emit conversationsChanged();
    if (!stopped && text.trimmed().isEmpty())
        showNotice(QStringLiteral("The model gave an empty reply"),
                   QStringLiteral("Press Regenerate, or rephrase the message. Small models, like the built-in demo "
                                  "that only writes stories, may not answer questions at all: try the start of a "
                                  "story instead, or get a larger model from the model manager."),
                   QStringLiteral("info"));
    if (stats.reason == GenerationStats::ContextFull)
        showNotice(QStringLiteral("The context is full"),
                   QStringLiteral("The reply stopped because the model's context window (%1 tokens) is full. "
                                  "Start a new chat, or send a shorter message: older turns are left out "
                                  "to make room.").arg(stats.contextSize), QStringLiteral("info"));
}

void ChatController::onFailed(quint64 id, int kind, const QString& message) {
    if (id != active_.id) return;
    flushTimer_.stop();
    const qint64 failedId = active_.messageId, conv = active_.conversationId;
    const QString partial = active_.text;
    active_ = Active();
    qint64 parent = 0;
    if (const MessageRecord* m = tree_.find(failedId)) parent = m->parentId;
    try {
        // An empty reply row is noise in the history; a partial one is kept.
        if (partial.isEmpty()) {
            store_->deleteMessage(failedId);
            store_->setCurrentLeaf(conv, parent);
        } else {
            store_->finishMessage(failedId, partial, MessageState::Stopped, 0, 0);
        }
    } catch (const StoreError&) {
    }
    if (conv == conversationId_) reload(partial.isEmpty() ? parent : failedId);
    emit generatingChanged();
    switch (FailureKind(kind)) {
        case FailureKind::ContextFull:
            showNotice(QStringLiteral("The message does not fit"),
                       QStringLiteral("%1.\n\nShorten the message or the system prompt, or start a new chat.").arg(message));
            break;
        case FailureKind::NoModel:
            showNotice(QStringLiteral("No model is loaded"), QStringLiteral("Pick a model in the model picker, then press Regenerate."));
            break;
        case FailureKind::OutOfMemory:
            showNotice(QStringLiteral("Out of memory"),
                       QStringLiteral("Close other programs or pick a smaller model, then press Regenerate."));
            break;
        case FailureKind::Engine:
            showNotice(QStringLiteral("The model failed"), QStringLiteral("%1\n\nTry Regenerate, or pick another model.").arg(message));
            break;
    }
}

void ChatController::switchVersion(qint64 messageId, int delta) {
    const QVector<qint64> sibs = tree_.siblings(messageId);
    const int at = (int)sibs.indexOf(messageId);
    if (at < 0 || at + delta < 0 || at + delta >= sibs.size()) return;
    const qint64 leaf = tree_.newestLeafUnder(sibs[at + delta]);
    try {
        store_->setCurrentLeaf(conversationId_, leaf);
    } catch (const StoreError&) {
        // Only the remembered branch is lost; still show it.
    }
    reload(leaf);
}

int ChatController::revealMessage(qint64 conversationId, qint64 messageId) {
    if (conversationId != conversationId_) selectConversation(conversationId);
    if (!tree_.contains(messageId)) return -1;
    if (messages_.rowOf(messageId) < 0) {
        const qint64 leaf = tree_.newestLeafUnder(messageId);
        try { store_->setCurrentLeaf(conversationId_, leaf); } catch (const StoreError&) {}
        reload(leaf);
    }
    const int row = messages_.rowOf(messageId);
    emit scrollToRow(row);
    return row;
}

void ChatController::onConversationDeleted(qint64 id) {
    if (active_.id && active_.conversationId == id) worker_->requestStop(active_.id);
    if (id == conversationId_) newConversation();
}

}  // namespace tern::app
