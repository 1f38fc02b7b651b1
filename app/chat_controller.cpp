#include "app/chat_controller.h"

#include "app/app_settings.h"
#include "app/inference_worker.h"
#include "app/model_controller.h"
#include "app/notice_service.h"

#include <QRegularExpression>

namespace tern::app {

namespace {
// One line of Markdown as plain words for a title: "# Heading" is "Heading", "| col a | col b |"
// is "col a · col b", "**bold** and `code`" is "bold and code", "[text](url)" is "text".
QString plainLine(QString line) {
    static const QRegularExpression fence(QStringLiteral("^\\s*(```|~~~)"));
    static const QRegularExpression tableRule(QStringLiteral("^\\s*\\|?\\s*:?-{2,}:?\\s*(\\|\\s*:?-{2,}:?\\s*)*\\|?\\s*$"));
    static const QRegularExpression rule(QStringLiteral("^\\s*([-*_])(\\s*\\1){2,}\\s*$"));
    static const QRegularExpression lead(QStringLiteral("^\\s*(#{1,6}\\s+|>+\\s*|[-*+]\\s+\\[[ xX]\\]\\s+|[-*+]\\s+|\\d+[.)]\\s+)+"));
    static const QRegularExpression image(QStringLiteral("!\\[([^\\]]*)\\]\\([^)]*\\)"));
    static const QRegularExpression link(QStringLiteral("\\[([^\\]]*)\\]\\([^)]*\\)"));
    static const QRegularExpression emphasis(QStringLiteral("(\\*\\*|__|~~|`+)"));
    static const QRegularExpression italic(QStringLiteral("\\*(\\S(?:[^*]*\\S)?)\\*"));  // *word*, not 2*3
    static const QRegularExpression heading(QStringLiteral("^\\s*#{1,6}\\s"));
    static const QRegularExpression closingHashes(QStringLiteral("\\s+#+$"));
    static const QRegularExpression underscores(QStringLiteral("(^|\\W)_+|_+(\\W|$)"));
    if (fence.match(line).hasMatch() || tableRule.match(line).hasMatch() || rule.match(line).hasMatch()) return {};
    const bool isHeading = heading.match(line).hasMatch();
    line.remove(lead);
    line.replace(image, QStringLiteral("\\1"));
    line.replace(link, QStringLiteral("\\1"));
    line.remove(emphasis);
    line.replace(italic, QStringLiteral("\\1"));
    line.replace(underscores, QStringLiteral("\\1\\2"));
    line = line.trimmed();
    if (line.contains(QLatin1Char('|'))) {  // a table row: its cells, side by side
        QStringList cells;
        for (const QString& c : line.split(QLatin1Char('|')))
            if (!c.trimmed().isEmpty()) cells << c.trimmed();
        line = cells.join(QStringLiteral(" · "));
    }
    if (isHeading) line.remove(closingHashes);  // "# Title #"
    return line.simplified();
}
}  // namespace

QString autoTitle(const QString& firstMessage) {
    // The first line that still says something once its Markdown is gone (a code fence or a
    // table's rule says nothing).
    QString line;
    for (const QString& raw : firstMessage.split(QLatin1Char('\n'))) {
        line = plainLine(raw);
        if (!line.isEmpty()) break;
    }
    if (line.size() <= 60) return line;
    int cut = line.lastIndexOf(QLatin1Char(' '), 60);
    if (cut < 30) cut = 60;
    return line.left(cut).trimmed() + QStringLiteral("…");
}

ChatController::ChatController(ConversationStore* store, InferenceWorker* worker, ModelController* models,
                               AppSettings* settings, NoticeService* notices, QObject* parent)
    : QObject(parent), store_(store), worker_(worker), models_(models), settings_(settings),
      notices_(notices ? notices : new NoticeService(this)) {
    flushTimer_.setInterval(250);
    flushTimer_.setSingleShot(true);
    connect(&flushTimer_, &QTimer::timeout, this, &ChatController::flush);
    connect(worker_, &InferenceWorker::textGenerated, this, &ChatController::onText, Qt::QueuedConnection);
    connect(worker_, &InferenceWorker::generationFinished, this, &ChatController::onFinished, Qt::QueuedConnection);
    connect(worker_, &InferenceWorker::generationFailed, this, &ChatController::onFailed, Qt::QueuedConnection);
    connect(models_, &ModelController::stateChanged, this, &ChatController::statsChanged);
    // Notices about a model (its context size, say) show only while it is the loaded one.
    connect(models_, &ModelController::stateChanged, notices_,
            [this] { notices_->setModel(models_->loaded() ? models_->info().path : QString()); });
}

ChatController::~ChatController() {
    // Replies still in line never started: take back their empty rows, as Stop would.
    for (const ReplyJob& job : replies_.takeAllWaiting()) discardUnstarted(job);
    if (!replies_.running()) return;
    // Quitting mid-reply: keep what was written, as if the user had pressed Stop.
    const ReplyJob& running = replies_.runningJob();
    worker_->requestStop(running.requestId);
    try {
        store_->finishMessage(running.messageId, running.text, MessageState::Stopped, 0, 0);
    } catch (const StoreError&) {
        // Nothing to tell anyone any more; the last flushed text stays, marked interrupted.
    }
}

bool ChatController::waiting() const {
    return generating() && !replies_.writing(conversationId_);
}

void ChatController::setDraft(const QString& text) {
    if (text == draft()) return;
    drafts_.set(conversationId_, text);
    emit draftChanged();
}

QVariantList ChatController::notices() const { return notices_->visibleAsVariants(); }

QVariantMap ChatController::notice() const {
    const QVector<Notice> shown = notices_->visible();
    return shown.isEmpty() ? QVariantMap() : shown.back().toVariantMap();
}

void ChatController::notify(qint64 conversationId, const QString& title, const QString& detail, bool info,
                            const QString& model) {
    notices_->postForConversation(conversationId, title, detail, info ? Notice::Info : Notice::Error, model);
}

void ChatController::setOpen(qint64 conversationId) {
    conversationId_ = conversationId;
    notices_->setConversation(conversationId);
    settings_->setLastConversation(conversationId);
}

QString ChatController::title() const {
    ConversationRecord c;
    return conversationId_ && store_->conversation(conversationId_, &c) ? c.title : QString();
}

void ChatController::storeFailed(const StoreError& e, const QString& what, qint64 conversationId) {
    if (e.diskFull())
        notify(conversationId, tr("The disk is full"), tr("Tern could not save %1. Free some disk space, then try again.").arg(what));
    else
        notify(conversationId, tr("Could not save %1").arg(what),
               tr("%1\n\nTry again; if it keeps failing, restart Tern.").arg(QString::fromUtf8(e.what())));
}

void ChatController::newConversation() {
    setOpen(0);
    contextUsed_ = 0;
    tokensPerSecond_ = 0;
    statsNote_.clear();
    emit statsChanged();
    tree_ = MessageTree();
    messages_.setRows({});
    emit conversationChanged();
    emit titleChanged();
    emit draftChanged();
    emit generatingChanged();
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
    setOpen(id);
    reload(c.currentLeafId);
    emit conversationChanged();
    emit titleChanged();
    emit draftChanged();
    emit generatingChanged();
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
        if (replies_.running() && m.id == replies_.runningJob().messageId) r.message.content = replies_.runningJob().text;
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
        notify(conversationId_, tr("No model is loaded"),
               tr("Pick a model in the model picker at the top. Your message is still in the box."));
        return false;
    }
    const qint64 draftOf = conversationId_;
    try {
        if (!conversationId_) {
            setOpen(store_->createConversation(models_->currentName()));
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
        if (store_->conversation(conversationId_, &c) && c.titleIsAuto && c.title.isEmpty()) {
            store_->renameConversation(conversationId_, autoTitle(text), true);
            emit titleChanged();  // the toolbar and the window title show it at once
        }
        startReply(id);
    } catch (const StoreError& e) {
        storeFailed(e, tr("your message"), conversationId_);
        return false;
    }
    drafts_.remove(draftOf);  // sent and saved: no longer a draft
    drafts_.remove(conversationId_);
    emit draftChanged();
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
        storeFailed(e, tr("the edited message"), conversationId_);
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
        storeFailed(e, tr("the new reply"), conversationId_);
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

    // The tree must hold the new messages before the request is built from it: the user's
    // message is the turn the reply answers.
    reload(replyId);

    ReplyJob job;
    job.requestId = replies_.nextRequestId();
    job.conversationId = conversationId_;
    job.messageId = replyId;
    GenerationRequest request;
    request.id = job.requestId;
    request.conversationId = conversationId_;
    request.systemPrompt = effectiveSystemPrompt(c);
    request.settings = effectiveSettings(c);
    for (const MessageRecord& m : tree_.pathTo(userMessageId))
        if (!m.content.isEmpty()) request.turns.push_back({m.role, m.content});
    // One reply at a time: behind another chat's reply, this one waits in line (visibly: the
    // sidebar and the composer say so) and starts as soon as the worker is free.
    if (replies_.add(job, request)) launch(request);
    emit conversationsChanged();
    emit conversationChanged();
    emit generatingChanged();
    emit scrollToRow(messages_.rowCount() - 1);
}

void ChatController::launch(const GenerationRequest& request) {
    QMetaObject::invokeMethod(worker_, [wk = worker_, request] { wk->generate(request); }, Qt::QueuedConnection);
}

void ChatController::startNext() {
    const std::optional<GenerationRequest> next = replies_.startNext();
    if (!next) return;
    launch(*next);
    emit generatingChanged();
}

void ChatController::discardUnstarted(const ReplyJob& job) {
    qint64 parent = 0;
    try {
        for (const MessageRecord& m : store_->messages(job.conversationId))
            if (m.id == job.messageId) parent = m.parentId;
        // It never started: an empty reply row would only be noise in the history.
        store_->deleteMessage(job.messageId);
        store_->setCurrentLeaf(job.conversationId, parent);
    } catch (const StoreError&) {
        // The row stays, empty; the store marks it interrupted at the next start.
    }
    if (job.conversationId == conversationId_) reload(parent);
}

void ChatController::stop() {
    if (replies_.writing(conversationId_)) {
        worker_->requestStop(replies_.runningJob().requestId);
        return;
    }
    if (const std::optional<ReplyJob> waiting = replies_.takeWaiting(conversationId_)) {
        discardUnstarted(*waiting);
        emit generatingChanged();
    }
}

void ChatController::onText(quint64 id, const QString& text) {
    if (!replies_.isRunning(id)) return;
    ReplyJob& reply = replies_.runningJob();
    reply.text += text;
    reply.dirty = true;
    if (reply.conversationId == conversationId_) messages_.appendText(reply.messageId, text);
    if (!flushTimer_.isActive()) flushTimer_.start();
}

void ChatController::flush() {
    ReplyJob& reply = replies_.runningJob();
    if (!replies_.running() || !reply.dirty) return;
    try {
        store_->updateMessageText(reply.messageId, reply.text, MessageState::Streaming);
        reply.dirty = false;
    } catch (const StoreError& e) {
        // Keep generating: the text is in memory and the final write tries again. (A repeated
        // notice is shown once.)
        storeFailed(e, tr("the reply as it is written"), reply.conversationId);
    }
}

void ChatController::onFinished(const GenerationStats& stats) {
    if (!replies_.isRunning(stats.id)) return;
    flushTimer_.stop();
    const ReplyJob reply = replies_.finishRunning();
    const bool stopped = stats.reason == GenerationStats::Cancelled;
    // The engine's text is authoritative; the streamed text can only miss a final fragment.
    const QString text = stats.text.size() >= reply.text.size() ? stats.text : reply.text;
    MessageRecord m;
    m.id = reply.messageId;
    m.content = text;
    m.state = stopped ? MessageState::Stopped : MessageState::Complete;
    m.tokenCount = stats.generatedTokens;
    m.tokensPerSecond = stats.tokensPerSecond;
    m.model = models_->currentName();
    const qint64 conv = reply.conversationId;
    try {
        store_->finishMessage(m.id, text, m.state, m.tokenCount, m.tokensPerSecond);
        store_->touch(conv);
    } catch (const StoreError& e) {
        storeFailed(e, tr("the reply"), conv);
    }
    const bool shown = conv == conversationId_;
    if (shown) {  // the status line describes the open conversation's last reply only
        messages_.updateMessage(m);
        tokensPerSecond_ = stats.tokensPerSecond;
        contextUsed_ = stats.contextUsed;
        statsNote_ = stats.droppedMessages
                         ? tr("%1 oldest messages left out to fit the context").arg(stats.droppedMessages)
                         : (stats.reusedTokens ? tr("%1 of %2 prompt tokens reused").arg(stats.reusedTokens).arg(stats.promptTokens)
                                               : QString());
        emit statsChanged();
    }
    startNext();
    emit generatingChanged();
    emit conversationsChanged();
    // Both notices are about this conversation on this model: a new chat, or a larger model,
    // does not show them.
    const QString model = models_->info().path;
    if (!stopped && text.trimmed().isEmpty())
        notify(conv, tr("The model gave an empty reply"),
               tr("Press Regenerate, or rephrase the message. Small models, like the built-in demo "
                  "that only writes stories, may not answer questions at all: try the start of a "
                  "story instead, or get a larger model from the model manager."),
               true, model);
    if (stats.reason == GenerationStats::ContextFull)
        notify(conv, tr("The context is full"),
               tr("The reply stopped because the model's context window (%1 tokens) is full. "
                  "Start a new chat, or send a shorter message: older turns are left out "
                  "to make room.").arg(stats.contextSize), false, model);
}

void ChatController::onFailed(quint64 id, int kind, const QString& message) {
    if (!replies_.isRunning(id)) return;
    flushTimer_.stop();
    const ReplyJob failed = replies_.finishRunning();
    const qint64 failedId = failed.messageId, conv = failed.conversationId;
    const QString& partial = failed.text;
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
    startNext();
    emit generatingChanged();
    const QString model = models_->info().path;
    switch (FailureKind(kind)) {
        case FailureKind::ContextFull:
            notify(conv, tr("The message does not fit"),
                   tr("%1.\n\nShorten the message or the system prompt, or start a new chat.").arg(message), false, model);
            break;
        case FailureKind::NoModel:
            notify(conv, tr("No model is loaded"), tr("Pick a model in the model picker, then press Regenerate."));
            break;
        case FailureKind::OutOfMemory:
            notify(conv, tr("Out of memory"), tr("Close other programs or pick a smaller model, then press Regenerate."), false, model);
            break;
        case FailureKind::Engine:
            notify(conv, tr("The model failed"), tr("%1\n\nTry Regenerate, or pick another model.").arg(message), false, model);
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
    if (replies_.writing(id)) worker_->requestStop(replies_.runningJob().requestId);
    bool dropped = false;
    while (const std::optional<ReplyJob> waiting = replies_.takeWaiting(id)) {
        discardUnstarted(*waiting);
        dropped = true;
    }
    notices_->dropConversation(id);
    drafts_.remove(id);
    if (id == conversationId_) newConversation();
    else if (dropped) emit generatingChanged();
}

void ChatController::onConversationRenamed(qint64 id) {
    if (id == conversationId_) emit titleChanged();
}

}  // namespace tern::app
