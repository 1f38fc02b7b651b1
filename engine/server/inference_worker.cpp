#include "engine/server/inference_worker.h"

#include "engine/error.h"
#include "engine/session.h"

#include <fmt/core.h>

#include <cstdio>
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
    pending_.emplace_back(piece);
    cv_.notify_all();
}

void Job::finish(ChatResult result) {
    std::lock_guard<std::mutex> lock(mutex_);
    result_ = std::move(result);
    started_ = finished_ = true;
    cv_.notify_all();
}

void Job::fail(ApiError error) {
    std::lock_guard<std::mutex> lock(mutex_);
    error_ = std::move(error);
    started_ = finished_ = true;
    cv_.notify_all();
}

InferenceWorker::InferenceWorker(ChatEngine& engine, size_t max_queued)
    : engine_(engine), max_queued_(max_queued), thread_([this] { loop(); }) {}

InferenceWorker::~InferenceWorker() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        for (auto& job : queue_) job->cancel.cancel();
        if (running_) running_->cancel.cancel();
    }
    cv_.notify_all();
    thread_.join();
    // Jobs still queued finish as cancelled, so no handler waits forever.
    for (auto& job : queue_) {
        ChatResult r;
        r.stop = StopReason::Cancelled;
        job->finish(r);
    }
}

bool InferenceWorker::submit(std::shared_ptr<Job> job) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        // The bound counts the running job too: a job submitted a moment ago that the thread has
        // not picked up yet must not take the place of a waiting one.
        if (stopping_ || queue_.size() + (running_ ? 1 : 0) >= max_queued_ + 1) {
            ++stats_.rejected;
            return false;
        }
        queue_.push_back(std::move(job));
        stats_.queued = queue_.size();
    }
    cv_.notify_one();
    return true;
}

WorkerStats InferenceWorker::stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
}

void InferenceWorker::loop() {
    for (;;) {
        std::shared_ptr<Job> job;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            job = queue_.front();
            queue_.pop_front();
            running_ = job;
            stats_.queued = queue_.size();
            stats_.busy = true;
        }
        run(*job);
        std::lock_guard<std::mutex> lock(mutex_);
        running_.reset();
        stats_.busy = false;
    }
}

void InferenceWorker::run(Job& job) {
    const uint64_t number = next_job_number_++;
    job.mark_started();
    ChatResult result;
    std::optional<ApiError> error;
    if (job.cancel.cancelled()) {
        // The client left while the job was queued: nothing to compute.
        result.stop = StopReason::Cancelled;
    } else {
        ChatEvents events;
        events.on_text = [&job](std::string_view piece) { job.push_text(piece); };
        try {
            result = job.input.chat ? engine_.chat(job.input.messages, job.input.settings, job.cancel, events)
                                    : engine_.complete(job.input.prompt, job.input.settings, job.cancel, events);
        } catch (const ContextFullError& e) {
            error = ApiError(400, e.what(), job.input.chat ? "messages" : "prompt", "context_length_exceeded");
        } catch (const std::bad_alloc&) {
            engine_.clear_cache();  // give the cached KV memory back before the next job
            error = ApiError(500, "out of memory", "", "out_of_memory");
        } catch (const std::exception& e) {
            error = ApiError(500, e.what(), "", "engine_error");
        }
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (error) {
            ++stats_.failed;
        } else {
            ++(result.stop == StopReason::Cancelled ? stats_.cancelled : stats_.completed);
            stats_.last_stop = stop_reason_name(result.stop);
            stats_.last_generated_tokens = result.usage.generated_tokens;
        }
    }
    // One line per job: what the operator needs to see cache reuse and cancellations.
    if (error) {
        fmt::print(stderr, "[job {}: error {}: {}]\n", number, error->status, error->what());
    } else {
        const ChatUsage& u = result.usage;
        fmt::print(stderr, "[job {} {}: prompt {} tokens ({} reused), {:.3f} s; generated {} tokens, {:.1f} tok/s; stop: {}]\n",
                   number, job.input.chat ? "chat" : "completion", u.prompt_tokens, u.reused_tokens,
                   u.prefill_seconds, u.generated_tokens, u.decode_tokens_per_second(), stop_reason_name(result.stop));
    }
    std::fflush(stderr);
    if (error) job.fail(std::move(*error));
    else job.finish(std::move(result));
}

}  // namespace tern::server
