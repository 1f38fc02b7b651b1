// The reply queue on its own: one reply runs at a time, the others wait in line in the order they
// came, "busy" is per chat, and replies taken back out of the line never start.
#include <catch2/catch.hpp>

#include "app/reply_queue.h"

using namespace tern::app;

namespace {
// A reply of conversation `conv` with a fresh request id from `q`, as ChatController queues it.
struct Queued {
    ReplyJob job;
    GenerationRequest request;
};
Queued reply(ReplyQueue& q, qint64 conv, qint64 messageId) {
    Queued r;
    r.job.requestId = q.nextRequestId();
    r.job.conversationId = conv;
    r.job.messageId = messageId;
    r.request.id = r.job.requestId;
    r.request.conversationId = conv;
    return r;
}
}  // namespace

TEST_CASE("the reply queue runs one reply at a time and starts the waiting ones in order", "[queue]") {
    ReplyQueue q;
    CHECK_FALSE(q.running());
    CHECK_FALSE(q.startNext());  // nothing waits
    const Queued a = reply(q, 1, 10), b = reply(q, 2, 20), c = reply(q, 3, 30);
    CHECK(a.job.requestId != 0);
    CHECK(a.job.requestId != b.job.requestId);

    CHECK(q.add(a.job, a.request));        // idle: starts at once
    CHECK_FALSE(q.add(b.job, b.request));  // behind a
    CHECK_FALSE(q.add(c.job, c.request));  // behind b
    CHECK(q.isRunning(a.job.requestId));
    CHECK_FALSE(q.isRunning(b.job.requestId));
    CHECK_FALSE(q.isRunning(0));
    CHECK_FALSE(q.startNext());  // a still runs: nothing starts

    q.runningJob().text += QStringLiteral("Once");
    const ReplyJob done = q.finishRunning();
    CHECK(done.messageId == 10);
    CHECK(done.text == QStringLiteral("Once"));
    CHECK_FALSE(q.running());

    const std::optional<GenerationRequest> next = q.startNext();
    REQUIRE(next);
    CHECK(next->id == b.job.requestId);  // oldest first
    CHECK(q.runningJob().messageId == 20);
    q.finishRunning();
    REQUIRE(q.startNext());
    CHECK(q.runningJob().messageId == 30);
    q.finishRunning();
    CHECK_FALSE(q.startNext());
}

TEST_CASE("the reply queue says which chats are busy, writing or waiting", "[queue]") {
    ReplyQueue q;
    const Queued a = reply(q, 1, 10), b = reply(q, 2, 20);
    q.add(a.job, a.request);
    q.add(b.job, b.request);
    CHECK(q.busy(1));
    CHECK(q.busy(2));
    CHECK_FALSE(q.busy(3));
    CHECK_FALSE(q.busy(0));  // the new chat never is
    CHECK(q.writing(1));
    CHECK_FALSE(q.writing(2));
    const QVariantMap busy = q.busyConversations();
    CHECK(busy.size() == 2);
    CHECK(busy.value(QStringLiteral("1")).toString() == QStringLiteral("writing"));
    CHECK(busy.value(QStringLiteral("2")).toString() == QStringLiteral("waiting"));
    q.finishRunning();
    CHECK_FALSE(q.busy(1));
    CHECK(q.busy(2));  // waits until started, is busy all the same
    CHECK(q.busyConversations().value(QStringLiteral("2")).toString() == QStringLiteral("waiting"));
}

TEST_CASE("replies taken out of the line never start", "[queue]") {
    ReplyQueue q;
    const Queued a = reply(q, 1, 10), b1 = reply(q, 2, 20), c = reply(q, 3, 30), b2 = reply(q, 2, 21);
    q.add(a.job, a.request);
    q.add(b1.job, b1.request);
    q.add(c.job, c.request);
    q.add(b2.job, b2.request);

    CHECK_FALSE(q.takeWaiting(1));  // a runs: it is stopped, not taken out of the line
    const std::optional<ReplyJob> first = q.takeWaiting(2);
    REQUIRE(first);
    CHECK(first->messageId == 20);  // the oldest of the chat's replies
    REQUIRE(q.takeWaiting(2));
    CHECK_FALSE(q.takeWaiting(2));
    CHECK_FALSE(q.busy(2));

    q.finishRunning();
    REQUIRE(q.startNext());
    CHECK(q.runningJob().conversationId == 3);  // chat 2's replies were skipped

    const Queued d = reply(q, 4, 40), e = reply(q, 5, 50);
    q.add(d.job, d.request);
    q.add(e.job, e.request);
    const QList<ReplyJob> all = q.takeAllWaiting();
    REQUIRE(all.size() == 2);
    CHECK(all[0].messageId == 40);
    CHECK(all[1].messageId == 50);
    q.finishRunning();
    CHECK_FALSE(q.startNext());
    CHECK(q.busyConversations().isEmpty());
}
