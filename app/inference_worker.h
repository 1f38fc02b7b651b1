#pragma once
// The only object that touches the engine. It lives on its own thread (see WorkerThread) and
// owns the loaded model and its ChatEngine, whose cache pool means a follow-up turn, or switching
// back to a conversation, only processes the new tokens. Requests arrive as queued slot calls and
// results leave as signals; the one exception is requestStop(), which must reach a generation
// that is busy in the decode loop and so is a thread-safe direct call.
#include "app/inference_types.h"
#include "engine/chat/cancel_token.h"

#include <QObject>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace tern {
class ChatEngine;
class Model;
}  // namespace tern

namespace tern::app {

struct WorkerOptions {
    int threads = 0;                         // 0: all hardware threads
    int contextSize = 0;                     // 0: the engine's default (tern::default_context)
    // Half-precision KV caches (ChatEngineOptions::kv_type F16): half the memory per token of
    // conversation, so twice the context fits in kvBudgetBytes; keys and values are rounded.
    bool compactCache = false;
    qint64 kvBudgetBytes = 1024LL << 20;     // KV caches kept for earlier turns and other conversations
    int emitIntervalMs = 30;                 // text is batched: one signal per frame or two
    int tokenDelayMsForTesting = 0;          // slows generation so tests can act mid-reply
};

// A thin thread adapter over tern::ChatEngine, which owns the rules of a chat turn and the KV
// cache pool: this class only turns Qt requests into engine calls and engine events into signals.
class InferenceWorker : public QObject {
    Q_OBJECT
public:
    using Options = WorkerOptions;
    explicit InferenceWorker(Options options = {}, QObject* parent = nullptr);
    ~InferenceWorker() override;

    // Thread-safe. Ends generation `id` within one token, or, if it has not started yet, makes it
    // end before its first token (the stop is never lost); id 0 stops whatever is running.
    void requestStop(quint64 id = 0);

    // Thread-safe. Runs `task` on this worker's thread with the engine of the loaded model
    // (nullptr while none is loaded), after the requests queued before it and before those
    // queued after: this is how the local API server's jobs take turns with chat replies on the
    // one model in memory. While the task runs, requestStop(0) also cancels `cancel`.
    void postEngineTask(std::function<void(tern::ChatEngine*)> task, tern::CancelToken cancel);

public slots:
    void loadModel(const QString& path);  // frees the previous model first
    // Threads, context size and cache precision for the loads that follow (0: all hardware
    // threads / the engine's default); the loaded model keeps its own. Queued like loads, so it
    // takes effect in order.
    void setLoadOptions(int threads, int contextSize, bool compactCache);
    void unloadModel();
    void generate(const tern::app::GenerationRequest& request);

signals:
    void loadProgress(double fraction);
    void modelLoaded(const tern::app::ModelInfo& info);
    void modelLoadFailed(const QString& path, const QString& message);
    void modelUnloaded();
    void textGenerated(quint64 id, const QString& text);
    void generationFinished(const tern::app::GenerationStats& stats);
    void generationFailed(quint64 id, int kind, const QString& message);  // kind: FailureKind

private:
    tern::CancelToken cancelTokenFor(quint64 id);

    Options options_;
    std::unique_ptr<tern::Model> model_;
    std::unique_ptr<tern::ChatEngine> engine_;

    std::mutex stopMutex_;  // guards the two fields below; held for microseconds only
    std::map<quint64, tern::CancelToken> cancels_;  // requests stopped or running, by id
    quint64 activeId_ = 0;
    std::optional<tern::CancelToken> activeTask_;  // the engine task running, if any
};

}  // namespace tern::app
