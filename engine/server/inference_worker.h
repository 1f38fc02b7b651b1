#pragma once
// tern-server's ChatBackend: the one thread that owns the ChatEngine (it is single-threaded),
// and the bounded queue HTTP handler threads put their jobs in. The engine stops a cancelled job
// within one token (or between prefill batches); a job cancelled while still queued is dropped
// without running.
#include "engine/server/chat_backend.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace tern::server {

class InferenceWorker : public ChatBackend {
public:
    // `engine` must outlive the worker. At most `max_queued` jobs wait behind the running one.
    InferenceWorker(ChatEngine& engine, size_t max_queued, ServedModel model);
    ~InferenceWorker() override;  // cancels what is queued or running and joins the thread
    InferenceWorker(const InferenceWorker&) = delete;
    InferenceWorker& operator=(const InferenceWorker&) = delete;

    std::optional<ServedModel> served_model() const override { return model_; }
    bool submit(std::shared_ptr<Job> job) override;
    WorkerStats stats() const override;

private:
    void loop();
    void run(Job& job);

    ChatEngine& engine_;
    const size_t max_queued_;
    const ServedModel model_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::shared_ptr<Job>> queue_;
    std::shared_ptr<Job> running_;
    bool stopping_ = false;
    WorkerStats stats_;
    uint64_t next_job_number_ = 1;
    std::thread thread_;  // last: starts after everything above exists
};

}  // namespace tern::server
