#pragma once
// One API request's generation as it travels between an HTTP handler thread and the thread that
// runs the engine: its input, its CancelToken, the text pieces it produced and its end. A handler
// submits a Job to a ChatBackend, then waits on it for pieces and the end; it cancels the job's
// token when its client goes away.
#include "engine/chat/chat_engine.h"
#include "engine/server/api_error.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
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

    // Called by the inference thread. The first finish() or fail() wins; later ones are ignored,
    // so a backend that gives up on a queued job may end it from another thread.
    void mark_started();
    void push_text(std::string_view piece);
    void finish(ChatResult result);
    void fail(ApiError error);
    bool finished() const;

private:
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool started_ = false, started_reported_ = false, finished_ = false;
    std::vector<std::string> pending_;
    ChatResult result_;
    std::optional<ApiError> error_;
};

struct JobOutcome {
    ChatResult result;
    std::optional<ApiError> error;  // set instead of a result when the engine failed
};

// Runs the job's generation on `engine` on the calling thread, streaming its text into the job
// and honouring its CancelToken. Engine failures become the API's errors (a prompt too long for
// the context: 400; out of memory: 500, after freeing the cached KV memory). Does not finish
// the job: the backend does, after its own bookkeeping. Shared by every backend so the API
// answers the same whichever thread runs the engine.
JobOutcome run_job(ChatEngine& engine, Job& job);

}  // namespace tern::server
