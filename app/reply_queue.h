#pragma once
// Which reply the inference worker is writing and which replies wait in line behind it. The worker
// has one engine, so replies run one at a time: a message sent in another chat while one is being
// written waits here and starts when the worker is free. "Busy" is per chat: a chat is busy while
// its reply is being written or waits in line.
//
// Plain bookkeeping without Qt signals or I/O, so it can be tested on its own: ChatController
// sends the requests this hands out to the worker and cleans up the store for replies taken back.
#include "app/inference_types.h"

#include <QList>
#include <QString>
#include <QVariantMap>
#include <optional>

namespace tern::app {

// One reply, from the moment it is queued until it finishes.
struct ReplyJob {
    quint64 requestId = 0;      // the worker's request id; 0: no reply
    qint64 conversationId = 0;
    qint64 messageId = 0;       // the reply's row in the store (state Streaming)
    QString text;               // what the worker has written so far
    bool dirty = false;         // text has grown since it was last saved
};

class ReplyQueue {
public:
    // Request ids count from 1, so 0 can mean "none".
    quint64 nextRequestId() { return nextRequestId_++; }

    // Adds a reply: it becomes the running one if nothing runs (true: send request to the worker
    // now), otherwise it waits in line behind the others (false).
    bool add(const ReplyJob& job, const GenerationRequest& request);
    // When nothing runs: the oldest waiting reply becomes the running one and its request is
    // returned, to be sent to the worker. Nothing (no request) while a reply runs or none waits.
    std::optional<GenerationRequest> startNext();

    bool running() const { return running_.requestId != 0; }
    // The running reply (requestId 0 if none); its text and dirty flag are the caller's to update.
    ReplyJob& runningJob() { return running_; }
    const ReplyJob& runningJob() const { return running_; }
    // The worker's signals carry request ids: is this the reply that runs now?
    bool isRunning(quint64 requestId) const { return requestId && running_.requestId == requestId; }
    // The running reply has ended (finished, stopped or failed): returns it; nothing runs after.
    ReplyJob finishRunning();

    bool writing(qint64 conversationId) const;    // the running reply is this chat's
    bool busy(qint64 conversationId) const;       // writing, or a reply of this chat waits
    // Every busy conversation: id (as a string key) -> "writing" or "waiting". For the sidebar.
    QVariantMap busyConversations() const;

    // Takes the oldest waiting reply of a conversation out of the line (it never started).
    std::optional<ReplyJob> takeWaiting(qint64 conversationId);
    // Takes every waiting reply out of the line, oldest first.
    QList<ReplyJob> takeAllWaiting();

private:
    struct Waiting {
        ReplyJob job;
        GenerationRequest request;
    };
    ReplyJob running_;
    QList<Waiting> waiting_;  // oldest first
    quint64 nextRequestId_ = 1;
};

}  // namespace tern::app
