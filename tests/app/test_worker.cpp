// The inference worker with the real engine on a tiny synthetic model: streaming, stop within a
// token, KV-cache reuse across turns and conversations, failures, and a GUI thread that never
// stalls while the engine works.
#include <catch2/catch.hpp>

#include "app/worker_thread.h"
#include "app_test_support.h"

#include <QElapsedTimer>
#include <QTimer>

using namespace tern::app;
using tern_app_test::waitFor;

namespace {

// Records what the worker reports, on the GUI thread.
struct Recorder : QObject {
    explicit Recorder(InferenceWorker* w) {
        connect(w, &InferenceWorker::modelLoaded, this, [this](const ModelInfo& i) { info = i; loaded = true; }, Qt::QueuedConnection);
        connect(w, &InferenceWorker::modelLoadFailed, this, [this](const QString&, const QString& m) { loadError = m; }, Qt::QueuedConnection);
        connect(w, &InferenceWorker::modelUnloaded, this, [this] { ++unloads; }, Qt::QueuedConnection);
        connect(w, &InferenceWorker::loadProgress, this, [this](double f) { progress.push_back(f); }, Qt::QueuedConnection);
        connect(w, &InferenceWorker::textGenerated, this, [this](quint64, const QString& t) { text += t; ++pieces; firstText.start(); }, Qt::QueuedConnection);
        connect(w, &InferenceWorker::generationFinished, this, [this](const GenerationStats& s) { stats = s; finished = true; }, Qt::QueuedConnection);
        connect(w, &InferenceWorker::generationFailed, this, [this](quint64, int k, const QString& m) { failKind = k; failMessage = m; failed = true; }, Qt::QueuedConnection);
    }
    void resetTurn() { text.clear(); pieces = 0; finished = failed = false; stats = {}; }
    ModelInfo info;
    bool loaded = false;
    QString loadError;
    int unloads = 0;
    QVector<double> progress;
    QString text;
    int pieces = 0;
    QElapsedTimer firstText;
    bool finished = false, failed = false;
    GenerationStats stats;
    int failKind = -1;
    QString failMessage;
};

GenerationRequest request(quint64 id, qint64 conversation, QVector<ChatTurn> turns, int maxTokens) {
    GenerationRequest r;
    r.id = id;
    r.conversationId = conversation;
    r.systemPrompt = QStringLiteral("You are terse.");
    r.turns = std::move(turns);
    r.settings.temperature = 0;  // greedy: the same text every run
    r.settings.maxTokens = maxTokens;
    return r;
}

void post(InferenceWorker* w, const GenerationRequest& r) {
    QMetaObject::invokeMethod(w, [w, r] { w->generate(r); }, Qt::QueuedConnection);
}

void load(InferenceWorker* w, Recorder& rec, const QString& path) {
    rec.loaded = false;
    rec.loadError.clear();
    QMetaObject::invokeMethod(w, [w, path] { w->loadModel(path); }, Qt::QueuedConnection);
    REQUIRE(waitFor([&] { return rec.loaded || !rec.loadError.isEmpty(); }));
    REQUIRE(rec.loadError.isEmpty());
}

}  // namespace

TEST_CASE("the worker loads a model with progress and streams a reply", "[worker]") {
    WorkerThread t;
    Recorder rec(t.worker());
    load(t.worker(), rec, tern_app_test::tinyModelPath());
    CHECK(rec.info.contextSize == 512);
    CHECK(rec.info.chatFormat == "bitnet");
    REQUIRE_FALSE(rec.progress.isEmpty());
    CHECK(rec.progress.back() == 1.0);

    post(t.worker(), request(1, 1, {{"user", "Hello there"}}, 48));
    REQUIRE(waitFor([&] { return rec.finished || rec.failed; }));
    REQUIRE(rec.finished);
    CHECK(rec.stats.generatedTokens > 0);
    CHECK(rec.stats.text == rec.text);  // the streamed pieces add up to the reply
    CHECK(rec.stats.contextSize == 512);
    CHECK(rec.stats.contextUsed > rec.stats.promptTokens);
}

TEST_CASE("stop ends a reply within one token and keeps the text", "[worker]") {
    WorkerOptions o;
    o.tokenDelayMsForTesting = 20;
    o.emitIntervalMs = 0;  // one signal per piece of text: the pieces count the tokens
    WorkerThread t(o);
    Recorder rec(t.worker());
    load(t.worker(), rec, tern_app_test::tinyModelPath());
    post(t.worker(), request(7, 1, {{"user", "Tell me a long story"}}, 0));
    REQUIRE(waitFor([&] { return rec.pieces >= 3 || rec.finished; }));
    REQUIRE_FALSE(rec.finished);
    const int piecesAtStop = rec.pieces;
    t.worker()->requestStop(7);
    REQUIRE(waitFor([&] { return rec.finished; }, 5000));
    // Counted in tokens, not milliseconds: the token being decoded and one piece still in the
    // signal queue may follow the stop, nothing more (at 20 ms per token, a missed stop would
    // run on for hundreds).
    INFO(piecesAtStop << " pieces when stopped, " << rec.stats.generatedTokens << " tokens in the end");
    CHECK(rec.stats.generatedTokens <= piecesAtStop + 3);
    CHECK(rec.stats.reason == GenerationStats::Cancelled);
    CHECK(rec.stats.text == rec.text);
}

TEST_CASE("a request stopped while queued never runs", "[worker]") {
    WorkerThread t;
    Recorder rec(t.worker());
    load(t.worker(), rec, tern_app_test::tinyModelPath());
    t.worker()->requestStop(3);
    post(t.worker(), request(3, 1, {{"user", "Hi"}}, 32));
    REQUIRE(waitFor([&] { return rec.finished; }));
    CHECK(rec.stats.reason == GenerationStats::Cancelled);
    CHECK(rec.stats.generatedTokens == 0);
}

TEST_CASE("a follow-up only processes its new tokens, also after switching conversations", "[worker]") {
    WorkerThread t;
    Recorder rec(t.worker());
    load(t.worker(), rec, tern_app_test::tinyModelPath());

    post(t.worker(), request(1, 100, {{"user", "First question"}}, 24));
    REQUIRE(waitFor([&] { return rec.finished; }));
    const GenerationStats first = rec.stats;
    CHECK(first.reusedTokens == 0);

    rec.resetTurn();  // another conversation in between
    post(t.worker(), request(2, 200, {{"user", "Something else entirely"}}, 24));
    REQUIRE(waitFor([&] { return rec.finished; }));

    rec.resetTurn();
    post(t.worker(), request(3, 100, {{"user", "First question"}, {"assistant", first.text}, {"user", "And then?"}}, 24));
    REQUIRE(waitFor([&] { return rec.finished; }));
    INFO("prompt " << rec.stats.promptTokens << ", reused " << rec.stats.reusedTokens << ", first prompt " << first.promptTokens);
    CHECK(rec.stats.reusedTokens >= first.promptTokens);
    CHECK(rec.stats.promptTokens - rec.stats.reusedTokens < 80);  // the new turn (plus at most the reply)
}

TEST_CASE("inactive conversations' caches are dropped beyond the memory budget", "[worker]") {
    WorkerOptions o;
    o.kvBudgetBytes = 1;  // keep only the active conversation's cache
    WorkerThread t(o);
    Recorder rec(t.worker());
    load(t.worker(), rec, tern_app_test::tinyModelPath());
    post(t.worker(), request(1, 100, {{"user", "First question"}}, 8));
    REQUIRE(waitFor([&] { return rec.finished; }));
    const QString reply = rec.stats.text;
    const int firstPrompt = rec.stats.promptTokens;
    rec.resetTurn();
    post(t.worker(), request(2, 200, {{"user", "Other"}}, 8));
    REQUIRE(waitFor([&] { return rec.finished; }));
    rec.resetTurn();
    post(t.worker(), request(3, 100, {{"user", "First question"}, {"assistant", reply}, {"user", "More"}}, 8));
    REQUIRE(waitFor([&] { return rec.finished; }));
    // The first conversation's cache is gone: only the template's opening, which the other
    // conversation shares, can still be found.
    INFO("reused " << rec.stats.reusedTokens << " of " << rec.stats.promptTokens << "; first prompt " << firstPrompt);
    CHECK(rec.stats.reusedTokens < firstPrompt);
}

TEST_CASE("switching models frees the old one and its caches", "[worker]") {
    WorkerThread t;
    Recorder rec(t.worker());
    load(t.worker(), rec, tern_app_test::tinyModelPath());
    post(t.worker(), request(1, 100, {{"user", "Question"}}, 8));
    REQUIRE(waitFor([&] { return rec.finished; }));
    const QString reply = rec.stats.text;
    load(t.worker(), rec, tern_app_test::tinyModelPath());  // a reload counts as a switch
    CHECK(rec.unloads == 1);
    rec.resetTurn();
    post(t.worker(), request(2, 100, {{"user", "Question"}, {"assistant", reply}, {"user", "More"}}, 8));
    REQUIRE(waitFor([&] { return rec.finished; }));
    CHECK(rec.stats.reusedTokens == 0);
}

TEST_CASE("load failures, a missing model and a full context are reported, not thrown", "[worker]") {
    WorkerThread t;
    Recorder rec(t.worker());
    QMetaObject::invokeMethod(t.worker(), [w = t.worker()] { w->loadModel(QStringLiteral("/nonexistent/model.gguf")); }, Qt::QueuedConnection);
    REQUIRE(waitFor([&] { return !rec.loadError.isEmpty(); }));
    CHECK(rec.loadError.contains("model.gguf"));

    post(t.worker(), request(1, 1, {{"user", "Hi"}}, 8));
    REQUIRE(waitFor([&] { return rec.failed; }));
    CHECK(rec.failKind == int(FailureKind::NoModel));

    load(t.worker(), rec, tern_app_test::tinyModelPath());
    rec.resetTurn();
    post(t.worker(), request(2, 1, {{"user", QString(2000, QLatin1Char('a'))}}, 8));  // > 512 tokens
    REQUIRE(waitFor([&] { return rec.failed; }));
    CHECK(rec.failKind == int(FailureKind::ContextFull));
    CHECK(rec.failMessage.contains("context"));
}

TEST_CASE("text is batched: one signal per interval, not one per token", "[worker]") {
    for (const int interval : {0, 60000}) {
        WorkerOptions o;
        o.emitIntervalMs = interval;
        WorkerThread t(o);
        Recorder rec(t.worker());
        load(t.worker(), rec, tern_app_test::tinyModelPath());
        post(t.worker(), request(1, 1, {{"user", "Write a long answer"}}, 64));
        REQUIRE(waitFor([&] { return rec.finished; }));
        INFO("interval " << interval << " ms: " << rec.pieces << " signals for " << rec.stats.generatedTokens << " tokens");
        REQUIRE(rec.stats.generatedTokens >= 16);
        CHECK(rec.text == rec.stats.text);
        if (interval == 0)
            CHECK(rec.pieces >= rec.stats.generatedTokens / 2);  // no batching: about a signal per token
        else
            CHECK(rec.pieces <= 2);  // the first piece at once (time to first text), the rest in one batch
    }
}

// Wall-clock limits live in the perf entry (ctest -L perf), not among the unit tests: a loaded
// machine may stretch them.
TEST_CASE("the GUI thread keeps running while the engine works", "[perf]") {
    WorkerThread t;
    Recorder rec(t.worker());
    // A 5 ms timer on the GUI thread: the longest gap between its ticks is the longest stall.
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0, longest = 0;
    int ticks = 0;
    QTimer timer;
    timer.setInterval(5);
    QObject::connect(&timer, &QTimer::timeout, [&] {
        const qint64 now = clock.elapsed();
        if (ticks++) longest = std::max(longest, now - last);
        last = now;
    });
    timer.start();
    load(t.worker(), rec, tern_app_test::tinyModelPath());
    const qint64 started = clock.elapsed();
    const int ticks_before = ticks;
    post(t.worker(), request(1, 1, {{"user", "Write as much as you can"}}, 0));  // until the context is full
    REQUIRE(waitFor([&] { return rec.finished; }, 30000));
    timer.stop();
    // With fast kernels the reply can take only tens of milliseconds, so judge the tick count
    // against the time it took: the GUI thread must have run at least half of its 5 ms ticks.
    const qint64 generating_ms = clock.elapsed() - started;
    const int expected_ticks = int(generating_ms / 5);
    INFO("generated " << rec.stats.generatedTokens << " tokens in " << rec.pieces << " signals; longest GUI gap " << longest << " ms");
    WARN("GUI responsiveness: longest event-loop gap " << longest << " ms over " << ticks << " ticks while " << rec.stats.generatedTokens << " tokens were generated at " << rec.stats.tokensPerSecond << " tok/s");
    CHECK(ticks - ticks_before >= expected_ticks / 2);
    CHECK(longest < 100);
}
