#include "app/api_chat_backend.h"

#include "app/inference_worker.h"
#include "engine/chat/session.h"

#include <algorithm>
#include <mutex>
#include <vector>

namespace tern::app {

using tern::server::ApiError;
using tern::server::Job;

struct ApiChatBackend::State {
    std::mutex mutex;
    size_t maxQueued = 0;
    bool closed = false;
    std::optional<tern::server::ServedModel> model;
    // Jobs submitted and not yet run to their end, in order; `running` is one of them.
    std::vector<std::shared_ptr<Job>> outstanding;
    std::shared_ptr<Job> running;
    // Why the server ended a job early (the model changed): answered instead of "cancelled".
    std::vector<std::pair<Job*, ApiError>> endedBecause;
    tern::server::WorkerStats stats;

    void forget(const Job* job) {
        outstanding.erase(std::remove_if(outstanding.begin(), outstanding.end(), [&](const auto& j) { return j.get() == job; }),
                          outstanding.end());
        endedBecause.erase(std::remove_if(endedBecause.begin(), endedBecause.end(), [&](const auto& e) { return e.first == job; }),
                           endedBecause.end());
    }

    // Cancels every outstanding job; the queued ones end now (their task, when the worker gets
    // to it, finds them finished), the running one when the engine stops, within a token.
    void endAll(const std::optional<ApiError>& error) {
        for (const auto& job : outstanding) {
            job->cancel.cancel();
            if (error) endedBecause.emplace_back(job.get(), *error);
            if (job == running) continue;
            if (error) {
                job->fail(*error);
            } else {
                ChatResult r;
                r.stop = StopReason::Cancelled;
                job->finish(r);
            }
        }
    }
};

namespace {

// The whole of one API job, on the worker's thread. Runs after the chat turns queued before it.
void runJob(const std::shared_ptr<ApiChatBackend::State>& st, const std::shared_ptr<Job>& job, ChatEngine* engine) {
    {
        std::lock_guard<std::mutex> lock(st->mutex);
        if (job->finished()) {  // ended while queued (server stopped, model switched)
            st->forget(job.get());
            ++st->stats.cancelled;
            return;
        }
        st->running = job;
    }
    job->mark_started();
    tern::server::JobOutcome out;
    if (!engine) {
        // The model went away between the request's check and its turn.
        out.error = ApiError(503, "no model is loaded in Tern", "", "no_model");
    } else {
        out = tern::server::run_job(*engine, *job);
    }
    std::lock_guard<std::mutex> lock(st->mutex);
    st->running.reset();
    auto because = std::find_if(st->endedBecause.begin(), st->endedBecause.end(),
                                [&](const auto& e) { return e.first == job.get(); });
    if (!out.error && out.result.stop == StopReason::Cancelled && because != st->endedBecause.end())
        out.error = because->second;
    st->forget(job.get());
    if (out.error) {
        ++st->stats.failed;
        job->fail(*out.error);
    } else {
        ++(out.result.stop == StopReason::Cancelled ? st->stats.cancelled : st->stats.completed);
        st->stats.last_stop = stop_reason_name(out.result.stop);
        st->stats.last_generated_tokens = out.result.usage.generated_tokens;
        job->finish(std::move(out.result));
    }
}

}  // namespace

ApiChatBackend::ApiChatBackend(InferenceWorker* worker, size_t maxQueued)
    : worker_(worker), state_(std::make_shared<State>()) {
    state_->maxQueued = maxQueued;
}

ApiChatBackend::~ApiChatBackend() { close(); }

void ApiChatBackend::setModel(std::optional<tern::server::ServedModel> model) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    const bool same = model && state_->model && model->id == state_->model->id && model->created == state_->model->created;
    if (same) return;
    // A reply must come from the model the request was checked against: jobs for the old one
    // stop rather than finish on (or wait for) another.
    state_->endAll(ApiError(503, "the model was switched or unloaded in Tern while this request waited or ran", "",
                            "model_changed"));
    state_->model = std::move(model);
}

void ApiChatBackend::close() {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->closed = true;
    state_->endAll(std::nullopt);
}

std::optional<tern::server::ServedModel> ApiChatBackend::served_model() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (state_->closed) return std::nullopt;
    return state_->model;
}

ApiError ApiChatBackend::unavailable() const {
    return ApiError(503, "no model is loaded in Tern: load one in the app", "", "no_model");
}

bool ApiChatBackend::submit(std::shared_ptr<Job> job) {
    {
        std::lock_guard<std::mutex> lock(state_->mutex);
        // The bound counts the running job too, like tern-server's own worker.
        if (state_->closed || state_->outstanding.size() >= state_->maxQueued + 1) {
            ++state_->stats.rejected;
            return false;
        }
        state_->outstanding.push_back(job);
    }
    worker_->postEngineTask([st = state_, job](ChatEngine* engine) { runJob(st, job, engine); }, job->cancel);
    return true;
}

tern::server::WorkerStats ApiChatBackend::stats() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    tern::server::WorkerStats s = state_->stats;
    s.busy = state_->running != nullptr;
    s.queued = state_->outstanding.size() - (s.busy ? 1 : 0);
    return s;
}

}  // namespace tern::app
