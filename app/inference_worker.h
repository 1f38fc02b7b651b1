#pragma once
// The only object that touches the engine. It lives on its own thread (see WorkerThread) and
// owns the loaded model and one session per conversation, so switching back to a conversation
// finds its KV cache and only the new tokens are processed. Requests arrive as queued slot
// calls and results leave as signals; the one exception is requestStop(), which must reach a
// generation that is busy in the decode loop and so is a thread-safe direct call.
#include "app/inference_types.h"

#include <QHash>
#include <QObject>
#include <QSet>

#include <map>
#include <memory>
#include <mutex>

namespace tern {
class Model;
class Session;
}  // namespace tern

namespace tern::app {

struct WorkerOptions {
    int threads = 0;                         // 0: all hardware threads
    int contextSize = 0;                     // 0: the model's, at most 4096
    qint64 kvBudgetBytes = 1024LL << 20;     // KV caches kept for inactive conversations
    int emitIntervalMs = 30;                 // text is batched: one signal per frame or two
    int tokenDelayMsForTesting = 0;          // slows generation so tests can act mid-reply
};

class InferenceWorker : public QObject {
    Q_OBJECT
public:
    using Options = WorkerOptions;
    explicit InferenceWorker(Options options = {}, QObject* parent = nullptr);
    ~InferenceWorker() override;

    // Thread-safe. Ends generation `id` within one token (or drops it if it has not started);
    // id 0 stops whatever is running.
    void requestStop(quint64 id = 0);

public slots:
    void loadModel(const QString& path);  // frees the previous model first
    void unloadModel();
    void generate(const tern::app::GenerationRequest& request);
    void forgetConversation(qint64 conversationId);

signals:
    void loadProgress(double fraction);
    void modelLoaded(const tern::app::ModelInfo& info);
    void modelLoadFailed(const QString& path, const QString& message);
    void modelUnloaded();
    void generationStarted(quint64 id, int promptTokens);
    void textGenerated(quint64 id, const QString& text);
    void generationFinished(const tern::app::GenerationStats& stats);
    void generationFailed(quint64 id, int kind, const QString& message);  // kind: FailureKind

private:
    tern::Session& sessionFor(qint64 conversationId);
    void evictSessions(qint64 keep);
    bool stopWanted(quint64 id);

    Options options_;
    std::unique_ptr<tern::Model> model_;
    struct Cached {
        std::unique_ptr<tern::Session> session;
        quint64 lastUse = 0;
    };
    std::map<qint64, Cached> sessions_;
    quint64 useCounter_ = 0;

    std::mutex stopMutex_;  // guards the three fields below; held for microseconds only
    tern::Session* active_ = nullptr;
    quint64 activeId_ = 0;
    QSet<quint64> stopped_;
};

}  // namespace tern::app
