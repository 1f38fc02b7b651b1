#pragma once
// The one thread that owns the ChatEngine (it is single-threaded), and the bounded queue HTTP
// handler threads put their jobs in. A handler submits a Job, then waits on it for text pieces
// and the end; it cancels the job's token when its client goes away, and the engine stops
// within one token (or between prefill batches). A job cancelled while still queued is dropped
// without running.
#include "engine/chat_engine.h"
#include "engine/server/api_error.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace tern::server {

struct JobInput {
    bool chat = true;                   // chat() with messages, else complete() with prompt
    std::vector<ChatMessage> messages;
    std::string prompt;
    ChatSettings settings;
};

// What a waiting handler learns from one wait_update().
struct JobUpdate {
    bool started = false;              // the job left the queue (reported once)
    std::vector<std::string> pieces;   // reply text since the last update
    bool finished = false;             // result() or error() is ready
};

class Job {
public:
    explicit Job(JobInput input) : input(std::move(input)) {}

    const JobInput input;
    const CancelToken cancel;  // copies share the flag: cancel() from any thread

    // Blocks until there is news or `timeout` passed (then the update is empty).
    JobUpdate wait_update(std::chrono::milliseconds timeout);
    // Valid once an update said finished.
    const ChatResult& result() const { return result_; }
    const std::optional<ApiError>& error() const { return error_; }

    // Called by the inference thread.
    void mark_started();
    void push_text(std::string_view piece);
    void finish(ChatResult result);
    void fail(ApiError error);

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool started_ = false, started_reported_ = false, finished_ = false;
    std::vector<std::string> pending_;
    ChatResult result_;
    std::optional<ApiError> error_;
};

struct WorkerStats {
    size_t queued = 0;        // waiting jobs
    bool busy = false;        // a job is running
    uint64_t completed = 0;   // finished normally (any stop reason but cancelled)
    uint64_t cancelled = 0;   // stopped or dropped because the client went away
    uint64_t failed = 0;      // ended with an error
    uint64_t rejected = 0;    // refused because the queue was full
    // The last finished job, for checking cancellation from outside.
    std::string last_stop;    // stop_reason_name(), "" before the first job
    int last_generated_tokens = 0;
};

class InferenceWorker {
public:
    // `engine` must outlive the worker. At most `max_queued` jobs wait behind the running one.
    InferenceWorker(ChatEngine& engine, size_t max_queued);
    ~InferenceWorker();  // cancels what is queued or running and joins the thread
    InferenceWorker(const InferenceWorker&) = delete;
    InferenceWorker& operator=(const InferenceWorker&) = delete;

    // False (and the job untouched) when the queue is full.
    bool submit(std::shared_ptr<Job> job);
    WorkerStats stats() const;

private:
    void loop();
    void run(Job& job);

    ChatEngine& engine_;
    const size_t max_queued_;
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
