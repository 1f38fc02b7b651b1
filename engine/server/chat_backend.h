#pragma once
// Where the HTTP side sends its jobs: something that owns (or borrows) a ChatEngine and runs
// jobs one at a time on its inference thread. tern-server's InferenceWorker has a thread of its
// own; the desktop app's backend runs jobs on the app's worker thread, between chat turns, with
// the model loaded for the chat window.
#include "engine/server/chat_job.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace tern::server {

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

// The model the API answers with, as /v1/models names it.
struct ServedModel {
    std::string id;
    int64_t created = 0;  // unix time
};

class ChatBackend {
public:
    virtual ~ChatBackend() = default;

    // The model jobs run on now; nullopt while there is none (the API then answers unavailable()).
    virtual std::optional<ServedModel> served_model() const = 0;
    // Why there is no model: a 503 whose code /health reports as its status.
    virtual ApiError unavailable() const { return ApiError(503, "the model is still loading", "", "loading"); }
    // Thread-safe. Queues the job to run on the backend's inference thread, which marks it
    // started, honours job->cancel (a job cancelled while queued ends without running) and ends
    // it with finish() or fail(). False, and the job untouched, when the queue is full.
    virtual bool submit(std::shared_ptr<Job> job) = 0;
    virtual WorkerStats stats() const = 0;
};

}  // namespace tern::server
