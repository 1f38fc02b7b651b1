#include "engine/server/inference_worker.h"

#include "engine/chat/session.h"

#include <fmt/core.h>

#include <cstdio>

namespace tern::server {

InferenceWorker::InferenceWorker(ChatEngine& engine, size_t max_queued, ServedModel model)
    : engine_(engine), max_queued_(max_queued), model_(std::move(model)), thread_([this] { loop(); }) {}

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
    JobOutcome outcome = run_job(engine_, job);
    ChatResult& result = outcome.result;
    std::optional<ApiError>& error = outcome.error;
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
