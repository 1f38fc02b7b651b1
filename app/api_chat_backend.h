#pragma once
// The local API server's ChatBackend in the app: API jobs run on the app's InferenceWorker
// thread with its ChatEngine, so the API answers from the model loaded for the chat window
// (never a second copy in memory), and jobs take turns with chat replies first come, first
// served on the worker's event queue. Which model is served follows ModelController; when it
// changes (a switch, a failed load) the jobs in flight are cancelled and answered 503.
#include "engine/server/chat_backend.h"

#include <memory>
#include <optional>

namespace tern::app {

class InferenceWorker;

class ApiChatBackend : public tern::server::ChatBackend {
public:
    // At most `maxQueued` jobs wait behind the running one. `worker` must outlive this object.
    ApiChatBackend(InferenceWorker* worker, size_t maxQueued);
    ~ApiChatBackend() override;  // close()s

    // GUI thread: the model now loaded (nullopt: none, or one is loading).
    void setModel(std::optional<tern::server::ServedModel> model);
    // Any thread: no new jobs; queued ones end now as cancelled, the running one within a token.
    // For stopping the server without waiting for the chat turns queued ahead of its jobs.
    void close();

    std::optional<tern::server::ServedModel> served_model() const override;
    tern::server::ApiError unavailable() const override;
    bool submit(std::shared_ptr<tern::server::Job> job) override;
    tern::server::WorkerStats stats() const override;

    struct State;  // shared with the tasks queued on the worker, which may outlive this object

private:
    InferenceWorker* worker_;
    std::shared_ptr<State> state_;
};

}  // namespace tern::app
