#include "engine/server/chat_job.h"

#include "engine/error.h"
#include "engine/chat/session.h"

#include <new>

namespace tern::server {

JobUpdate Job::wait_update(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    auto news = [&] { return (started_ && !started_reported_) || !pending_.empty() || finished_; };
    cv_.wait_for(lock, timeout, news);
    JobUpdate u;
    if (started_ && !started_reported_) {
        u.started = true;
        started_reported_ = true;
    }
    u.pieces.swap(pending_);
    u.finished = finished_;
    return u;
}

void Job::mark_started() {
    std::lock_guard<std::mutex> lock(mutex_);
    started_ = true;
    cv_.notify_all();
}

void Job::push_text(std::string_view piece) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (finished_) return;
    pending_.emplace_back(piece);
    cv_.notify_all();
}

void Job::finish(ChatResult result) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (finished_) return;
    result_ = std::move(result);
    started_ = finished_ = true;
    cv_.notify_all();
}

void Job::fail(ApiError error) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (finished_) return;
    error_ = std::move(error);
    started_ = finished_ = true;
    cv_.notify_all();
}

bool Job::finished() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return finished_;
}

JobOutcome run_job(ChatEngine& engine, Job& job) {
    JobOutcome out;
    if (job.cancel.cancelled()) {
        // The client left while the job was queued: nothing to compute.
        out.result.stop = StopReason::Cancelled;
        return out;
    }
    ChatEvents events;
    events.on_text = [&job](std::string_view piece) { job.push_text(piece); };
    try {
        out.result = job.input.chat ? engine.chat(job.input.messages, job.input.settings, job.cancel, events)
                                    : engine.complete(job.input.prompt, job.input.settings, job.cancel, events);
    } catch (const ContextFullError& e) {
        out.error = ApiError(400, e.what(), job.input.chat ? "messages" : "prompt", "context_length_exceeded");
    } catch (const std::bad_alloc&) {
        engine.clear_cache();  // give the cached KV memory back before the next job
        out.error = ApiError(500, "out of memory", "", "out_of_memory");
    } catch (const std::exception& e) {
        out.error = ApiError(500, e.what(), "", "engine_error");
    }
    return out;
}

}  // namespace tern::server
