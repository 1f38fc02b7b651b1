#include "app/reply_queue.h"

namespace tern::app {

bool ReplyQueue::add(const ReplyJob& job, const GenerationRequest& request) {
    if (running()) {
        waiting_.push_back({job, request});
        return false;
    }
    running_ = job;
    return true;
}

std::optional<GenerationRequest> ReplyQueue::startNext() {
    if (running() || waiting_.isEmpty()) return std::nullopt;
    Waiting next = waiting_.takeFirst();
    running_ = next.job;
    return next.request;
}

ReplyJob ReplyQueue::finishRunning() {
    ReplyJob done = running_;
    running_ = ReplyJob();
    return done;
}

bool ReplyQueue::writing(qint64 conversationId) const {
    return running() && running_.conversationId == conversationId;
}

bool ReplyQueue::busy(qint64 conversationId) const {
    if (!conversationId) return false;  // the new chat has no reply yet
    if (writing(conversationId)) return true;
    for (const Waiting& w : waiting_)
        if (w.job.conversationId == conversationId) return true;
    return false;
}

QVariantMap ReplyQueue::busyConversations() const {
    QVariantMap out;
    if (running()) out.insert(QString::number(running_.conversationId), QStringLiteral("writing"));
    for (const Waiting& w : waiting_) out.insert(QString::number(w.job.conversationId), QStringLiteral("waiting"));
    return out;
}

std::optional<ReplyJob> ReplyQueue::takeWaiting(qint64 conversationId) {
    for (int i = 0; i < waiting_.size(); ++i)
        if (waiting_[i].job.conversationId == conversationId) return waiting_.takeAt(i).job;
    return std::nullopt;
}

QList<ReplyJob> ReplyQueue::takeAllWaiting() {
    QList<ReplyJob> out;
    for (const Waiting& w : waiting_) out.push_back(w.job);
    waiting_.clear();
    return out;
}

}  // namespace tern::app
