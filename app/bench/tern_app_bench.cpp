// tern-app-bench: does the app decode as fast as the engine? One process, one loaded model per
// side, the same greedy settings and prompt everywhere, measured in alternation so that a noisy
// machine disturbs every side alike:
//   A  the engine: tern::ChatEngine::chat() called directly on this thread;
//   B  the app's worker: InferenceWorker on its WorkerThread, text arriving as queued signals;
//   C  the whole app: TernApplication's window (QML, ChatController, the SQLite history in a
//      temporary folder) sending a message, as a user does; --no-window skips it.
// Each side reports the engine's own decode tokens per second for its reply (ChatUsage, which the
// worker forwards in GenerationStats), so the three numbers are measured the same way and differ
// only by what else the process does while decoding. Also reported: how much CPU the GUI thread
// used during B and C, the usual thief of the inference threads' cores.
#include "app/chat_controller.h"
#include "app/engine_chat_settings.h"
#include "app/model_controller.h"
#include "app/tern_application.h"
#include "app/worker_thread.h"
#include "engine/chat/chat_engine.h"
#include "engine/model/default_model.h"
#include "engine/error.h"
#include "engine/model/model.h"
#include "engine/tools/tool_args.h"
#include "kernels/cpu.h"
#include "kernels/dispatch.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSGRendererInterface>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

#include <fmt/core.h>

#if defined(__linux__)
#include <unistd.h>
#endif

#include <algorithm>
#include <cmath>
#include <atomic>
#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace tern;
using namespace tern::app;

namespace {

const char* kUsage = R"(usage: tern-app-bench [-m MODEL] [-n 128] [-r 5] [-t THREADS] [options]

Decode speed of the app against the engine, same model and settings, same run:
  A  tern::ChatEngine in-process      B  the app's InferenceWorker on its thread
  C  the whole app (window, chat controller, history) sending a message

  -m MODEL       model file (default: the built-in model)
  -n N           tokens per reply (max tokens; greedy, so every side writes the same reply)
  -r N           measured rounds of A B C, after one warm-up round; medians are reported
  --round-seconds S  a round repeats the reply until about S seconds of decoding (default 2)
  -t N           inference threads (default: all cores)
  --prompt TEXT  the user's message (default: a request for a long story)
  --no-window    skip C (no QML window)
  --rounds-log   print every round's numbers, not only the summary
  --threads      print the CPU each thread used while each side ran (Linux), as % of wall time
)";

constexpr const char* kSystemPrompt = "You are a helpful assistant.";
constexpr const char* kDefaultPrompt = "Tell me a long story about a fox who learns to fly.";

// Greedy, a fixed seed, the app's other defaults: the same reply on every side.
GenerationSettings benchSettings(int maxTokens) {
    GenerationSettings s;
    s.temperature = 0;
    s.seed = 1;
    s.maxTokens = maxTokens;
    return s;
}

// CPU time of the calling thread (the GUI thread here), seconds; 0 where unsupported.
double threadCpuSeconds() {
#if defined(CLOCK_THREAD_CPUTIME_ID)
    timespec ts{};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0) return ts.tv_sec + ts.tv_nsec * 1e-9;
#endif
    return 0;
}

double secondsSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string cpuModel() {
    QFile f(QStringLiteral("/proc/cpuinfo"));
    if (f.open(QIODevice::ReadOnly))
        for (const QByteArray& line : f.readAll().split('\n'))
            if (line.startsWith("model name")) return line.mid(line.indexOf(':') + 1).trimmed().toStdString();
    return "unknown";
}

struct Round {
    double tokPerSec = 0;  // the engine's decode speed (over all replies of a round: tokens / decodeSeconds)
    int tokens = 0;        // generated tokens
    double decodeSeconds = 0;
    double wallSeconds = 0;
    double guiCpuSeconds = 0;  // CPU the GUI (this) thread used meanwhile
    std::string text;          // the (last) reply
};

// CPU seconds used so far by each thread of this process, by "tid name" (Linux; empty elsewhere):
// which threads the time goes to while a side decodes (--threads).
std::map<std::string, double> threadCpuTimes() {
    std::map<std::string, double> out;
#if defined(__linux__)
    const double tick = 1.0 / (double)sysconf(_SC_CLK_TCK);
    for (const QString& tid : QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile f(QStringLiteral("/proc/self/task/%1/stat").arg(tid));
        if (!f.open(QIODevice::ReadOnly)) continue;
        const QByteArray stat = f.readAll();
        const int open = stat.indexOf('('), close = stat.lastIndexOf(')');
        if (open < 0 || close < open) continue;
        const QList<QByteArray> fields = stat.mid(close + 2).split(' ');  // from field 3 (state) on
        if (fields.size() < 13) continue;
        const double cpu = (fields[11].toDouble() + fields[12].toDouble()) * tick;  // utime + stime
        out[tid.toStdString() + " " + stat.mid(open + 1, close - open - 1).toStdString()] = cpu;
    }
#endif
    return out;
}

// A round of `replies` replies of one side, as one measurement: a small model writes a whole
// reply in a few tens of milliseconds, too short to time against a busy machine's scheduler.
template <typename Side>
Round runRound(Side& side, int replies, std::map<std::string, double>* threadCpu = nullptr) {
    const std::map<std::string, double> before = threadCpu ? threadCpuTimes() : std::map<std::string, double>();
    Round sum;
    for (int i = 0; i < replies; ++i) {
        const Round r = side.run();
        sum.tokens += r.tokens;
        sum.decodeSeconds += r.tokPerSec > 0 ? r.tokens / r.tokPerSec : 0;
        sum.wallSeconds += r.wallSeconds;
        sum.guiCpuSeconds += r.guiCpuSeconds;
        sum.text = r.text;
    }
    sum.tokPerSec = sum.decodeSeconds > 0 ? sum.tokens / sum.decodeSeconds : 0;
    sum.tokens /= replies;  // per reply, for the report
    if (threadCpu) {
        for (const auto& [thread, cpu] : threadCpuTimes()) {
            const auto b = before.find(thread);
            (*threadCpu)[thread] += cpu - (b == before.end() ? 0 : b->second);
        }
        (*threadCpu)[""] += sum.wallSeconds;  // the wall time these add up over
    }
    return sum;
}

struct Series {
    const char* name;
    std::vector<Round> rounds;
    std::map<std::string, double> threadCpu;  // CPU seconds per thread while this side ran; "" = wall

    std::vector<double> values(double Round::*field) const {
        std::vector<double> v;
        for (const Round& r : rounds) v.push_back(r.*field);
        std::sort(v.begin(), v.end());
        return v;
    }
    double median(double Round::*field) const {
        const std::vector<double> v = values(field);
        if (v.empty()) return 0;
        return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
    }
};

// Runs the event loop until done() holds, checked when `sender` emits `signal` (queued after the
// slots connected earlier) and on a 50 ms tick as a safety net. A real event loop, as the app's: queued signals are delivered as they are there.
template <typename Sender, typename Signal>
bool waitUntil(const Sender* sender, Signal signal, const std::function<bool()>& done, int timeoutMs) {
    QEventLoop loop;
    QObject::connect(sender, signal, &loop, [&] {
        if (done()) loop.quit();
    });
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        if (done()) loop.quit();
    });
    tick.start(50);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    if (!done()) loop.exec();
    return done();
}

// Side A: the engine, called on this thread with nothing else going on.
class EngineSide {
public:
    EngineSide(const std::string& path, int threads, const GenerationSettings& settings, const std::string& prompt)
        : settings_(toEngineChatSettings(settings)) {
        LoadOptions lo;
        lo.n_threads = threads;
        model_ = Model::load(path, lo);
        ChatEngineOptions eo;
        eo.cache_budget_bytes = 1024ull << 20;  // as WorkerOptions::kvBudgetBytes
        engine_ = std::make_unique<ChatEngine>(*model_, eo);
        messages_ = {{"system", kSystemPrompt}, {"user", prompt}};
    }
    int threads() const { return model_->n_threads(); }
    Round run() {
        std::string text;  // the least a front end does with the pieces: keep them
        ChatEvents events;
        events.on_text = [&](std::string_view piece) { text += piece; };
        const double cpu0 = threadCpuSeconds();
        const auto t0 = std::chrono::steady_clock::now();
        const ChatResult r = engine_->chat(messages_, settings_, {}, events);
        Round out;
        out.wallSeconds = secondsSince(t0);
        out.guiCpuSeconds = threadCpuSeconds() - cpu0;  // here the engine's own work: not comparable
        out.tokPerSec = r.usage.decode_tokens_per_second();
        out.tokens = r.usage.generated_tokens;
        out.text = r.text;
        return out;
    }

private:
    tern::ChatSettings settings_;
    std::unique_ptr<Model> model_;
    std::unique_ptr<ChatEngine> engine_;
    std::vector<ChatMessage> messages_;
};

// Side B: the app's worker on its own thread; this thread only collects the text, as the chat
// controller's onText does at minimum.
class WorkerSide {
public:
    WorkerSide(const QString& path, int threads, const GenerationSettings& settings, const QString& prompt)
        : thread_([threads] {
              WorkerOptions o;
              o.threads = threads;
              return o;
          }()) {
        request_.systemPrompt = QString::fromUtf8(kSystemPrompt);
        request_.turns = {{QStringLiteral("user"), prompt}};
        request_.settings = settings;
        InferenceWorker* w = thread_.worker();
        QObject::connect(w, &InferenceWorker::modelLoaded, w, [this](const ModelInfo&) { loaded_ = true; }, Qt::DirectConnection);
        QObject::connect(w, &InferenceWorker::modelLoadFailed, w, [this](const QString&, const QString& m) {
            error_ = m.toStdString();
        }, Qt::DirectConnection);
        // The GUI thread's side of the stream, queued like ChatController's.
        QObject::connect(w, &InferenceWorker::textGenerated, &receiver_, [this](quint64, const QString& t) { text_ += t; },
                         Qt::QueuedConnection);
        QObject::connect(w, &InferenceWorker::generationFinished, &receiver_, [this](const GenerationStats& s) { stats_ = s; },
                         Qt::QueuedConnection);
        QObject::connect(w, &InferenceWorker::generationFailed, &receiver_, [this](quint64, int, const QString& m) {
            error_ = m.toStdString();
        }, Qt::QueuedConnection);
        QMetaObject::invokeMethod(w, [w, path] { w->loadModel(path); }, Qt::QueuedConnection);
        waitUntil(w, &InferenceWorker::modelLoaded, [this] { return loaded_.load() || !error_.empty(); }, 600000);
        if (!error_.empty()) throw Error("the worker could not load the model: " + error_);
    }
    Round run() {
        request_.id = ++nextId_;
        stats_.reset();
        text_.clear();
        const GenerationRequest request = request_;
        InferenceWorker* w = thread_.worker();
        const double cpu0 = threadCpuSeconds();
        const auto t0 = std::chrono::steady_clock::now();
        QMetaObject::invokeMethod(w, [w, request] { w->generate(request); }, Qt::QueuedConnection);
        waitUntil(w, &InferenceWorker::generationFinished, [this] { return stats_.has_value() || !error_.empty(); }, 600000);
        if (!error_.empty()) throw Error("the worker failed: " + error_);
        Round out;
        out.wallSeconds = secondsSince(t0);
        out.guiCpuSeconds = threadCpuSeconds() - cpu0;
        out.tokPerSec = stats_->tokensPerSecond;
        out.tokens = stats_->generatedTokens;
        out.text = stats_->text.toStdString();
        return out;
    }

private:
    WorkerThread thread_;
    QObject receiver_;  // lives on this thread: the queued signals are delivered here
    GenerationRequest request_;
    quint64 nextId_ = 0;
    std::atomic<bool> loaded_{false};
    std::string error_;
    std::optional<GenerationStats> stats_;
    QString text_;
};

// Side C: the real app, window and all, with its settings and history in a temporary folder.
class AppSide {
public:
    AppSide(const QString& path, int threads, const QString& folder, const QString& prompt) : prompt_(prompt) {
        AppOptions o;
        o.modelPath = path;
        o.databasePath = folder + QStringLiteral("/history.sqlite3");
        o.modelsDir = folder + QStringLiteral("/models");
        o.findDefaultModel = false;
        o.worker.threads = threads;
        app_ = std::make_unique<TernApplication>(o);
        if (!app_->start()) throw Error("the app's window could not be created");
        app_->window()->show();
        auto ready = [this] { return app_->models()->loaded() || (!app_->models()->loading() && !app_->chat()->notices().isEmpty()); };
        waitUntil(app_->models(), &ModelController::stateChanged, ready, 600000);
        if (!app_->models()->loaded()) throw Error("the app could not load the model");
    }
    QString graphicsApi() const {
        switch (app_->window()->rendererInterface()->graphicsApi()) {
            case QSGRendererInterface::Software: return QStringLiteral("software");
            case QSGRendererInterface::OpenGL: return QStringLiteral("OpenGL");
            case QSGRendererInterface::Vulkan: return QStringLiteral("Vulkan");
            default: return QStringLiteral("other");
        }
    }
    Round run() {
        ChatController* chat = app_->chat();
        chat->newConversation();  // the same prompt every round (its KV cache is reused)
        const double cpu0 = threadCpuSeconds();
        const auto t0 = std::chrono::steady_clock::now();
        if (!chat->send(prompt_)) throw Error("the app did not send the message");
        waitUntil(chat, &ChatController::generatingChanged, [chat] { return !chat->generating(); }, 600000);
        Round out;
        out.wallSeconds = secondsSince(t0);
        out.guiCpuSeconds = threadCpuSeconds() - cpu0;
        out.tokPerSec = chat->tokensPerSecond();
        const MessageListModel* m = chat->messages();
        if (const MessageRow* last = m->rowAt(m->rowCount() - 1)) {
            out.tokens = last->message.tokenCount;
            out.text = last->message.content.toStdString();
        }
        if (chat->generating() || out.tokPerSec <= 0) throw Error("the app's reply did not finish");
        return out;
    }

private:
    QString prompt_;
    std::unique_ptr<TernApplication> app_;
};

// Settings and history of a user who has never run Tern, in `folder`: the bench must neither
// read nor change the real ones. Then the defaults C's controller uses: greedy, fixed seed.
void isolateUser(const QString& folder, const GenerationSettings& settings) {
    qputenv("XDG_CONFIG_HOME", (folder + QStringLiteral("/config")).toUtf8());
    qputenv("XDG_DATA_HOME", (folder + QStringLiteral("/data")).toUtf8());
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, folder + QStringLiteral("/config"));
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, folder + QStringLiteral("/config"));
    QSettings s;
    s.setValue(QStringLiteral("defaults/systemPrompt"), QString::fromUtf8(kSystemPrompt));
    s.setValue(QStringLiteral("defaults/generation"), QJsonDocument(settings.toJson()).toJson(QJsonDocument::Compact));
}

std::string range(const Series& s, double Round::*field, const char* format) {
    const std::vector<double> v = s.values(field);
    if (v.empty()) return "-";
    return fmt::format(fmt::runtime(format), s.median(field)) + " [" + fmt::format(fmt::runtime(format), v.front()) + "–" +
           fmt::format(fmt::runtime(format), v.back()) + "]";
}

int run(int argc, char** argv) {
    tools::Args a(argc, argv, {"-m", "-n", "-r", "-t", "--prompt", "--round-seconds"}, {"--no-window", "--rounds-log", "--threads", "--help", "-h"});
    if (a.has("--help") || a.has("-h")) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    const std::string path = a.get_or("-m", default_model_path(argv[0]));
    if (path.empty()) throw Error("no model given and no built-in model installed; use -m MODEL.gguf");
    const int nTokens = (int)a.get_int("-n", 128, 1, 1 << 20);
    const int rounds = (int)a.get_int("-r", 5, 1, 1000);
    const int threads = (int)a.get_int("-t", 0, 0, 1024);
    const std::string prompt = a.get_or("--prompt", kDefaultPrompt);
    const bool withApp = !a.has("--no-window");
    const bool log = a.has("--rounds-log");
    const bool threadReport = a.has("--threads");
    const double roundSeconds = a.get_float("--round-seconds", 2.0, 0.0, 3600.0);

    // The window needs no display: offscreen unless the caller chose a platform.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication qapp(argc, argv);
    TernApplication::setIdentity();
    QQuickStyle::setStyle(QStringLiteral("Basic"));  // as main() does
    QTemporaryDir folder;
    if (!folder.isValid()) throw Error("no temporary folder");
    const GenerationSettings settings = benchSettings(nTokens);
    isolateUser(folder.path(), settings);

    const QString qpath = QString::fromStdString(path), qprompt = QString::fromStdString(prompt);
    EngineSide engine(path, threads, settings, prompt);
    WorkerSide worker(qpath, threads, settings, qprompt);
    std::unique_ptr<AppSide> app;
    if (withApp) app = std::make_unique<AppSide>(qpath, threads, folder.path(), qprompt);

    fmt::print("model: {}\nCPU: {} ({} logical cores)\nkernels: {} ({})\nthreads: {}\n", path, cpuModel(),
               std::thread::hardware_concurrency(), kernels::cpu_level_name(kernels::active_cpu_level()),
               kernels::cpu_feature_summary(), engine.threads());
    if (app) fmt::print("window: platform {}, renderer {}\n", QGuiApplication::platformName().toStdString(),
                        app->graphicsApi().toStdString());
    fmt::print("reply: up to {} tokens, greedy; {} rounds of A B{} after a warm-up\n", nTokens, rounds, app ? " C" : "");
    std::fflush(stdout);

    Series A{"A engine", {}, {}}, B{"B worker", {}, {}}, C{"C app", {}, {}};
    int replies = 1;
    for (int r = -1; r < rounds; ++r) {  // round -1: warm-up (page faults, caches, first layout)
        const bool counted = r >= 0 && threadReport;
        const Round ra = runRound(engine, replies, counted ? &A.threadCpu : nullptr);
        const Round rb = runRound(worker, replies, counted ? &B.threadCpu : nullptr);
        const std::optional<Round> rc =
            app ? std::optional<Round>(runRound(*app, replies, counted ? &C.threadCpu : nullptr)) : std::nullopt;
        if (r < 0) {
            // Enough replies per round for about --round-seconds of decoding (A's speed).
            const double perReply = ra.decodeSeconds / replies;
            replies = std::clamp((int)std::ceil(roundSeconds / std::max(perReply, 1e-6)), 1, 1000);
            fmt::print("replies per round: {} ({} tokens each)\n", replies, ra.tokens);
            std::fflush(stdout);
            continue;
        }
        A.rounds.push_back(ra);
        B.rounds.push_back(rb);
        if (rc) C.rounds.push_back(*rc);
        if (log)
            fmt::print("round {}: A {:.1f}  B {:.1f}{} tok/s\n", r + 1, ra.tokPerSec, rb.tokPerSec,
                       rc ? fmt::format("  C {:.1f}", rc->tokPerSec) : std::string());
        if (ra.text != rb.text || (rc && rc->text != ra.text)) {
            auto head = [](const std::string& t) { return t.substr(0, 60); };
            fmt::print("note: round {}: the replies differ ({} / {} / {} tokens):\n  A: {}\n  B: {}\n  C: {}\n", r + 1, ra.tokens,
                       rb.tokens, rc ? rc->tokens : 0, head(ra.text), head(rb.text), rc ? head(rc->text) : std::string());
        }
    }

    fmt::print("\n{:<10} {:>26} {:>8} {:>24}\n", "side", "decode tok/s median [range]", "tokens", "GUI-thread CPU % of wall");
    for (const Series* s : {&A, &B, &C}) {
        if (s->rounds.empty()) continue;
        Series load = *s;  // GUI-thread CPU as a share of the round's wall time
        for (Round& r : load.rounds) r.guiCpuSeconds = r.wallSeconds > 0 ? 100 * r.guiCpuSeconds / r.wallSeconds : 0;
        fmt::print("{:<10} {:>26} {:>8} {:>24}\n", s->name, range(*s, &Round::tokPerSec, "{:.1f}"), s->rounds.back().tokens,
                   s == &A ? std::string("(runs the engine)") : range(load, &Round::guiCpuSeconds, "{:.1f}"));
    }
    if (threadReport) {
        fmt::print("\nCPU per thread while each side ran, % of its wall time (threads above 0.5 %):\n");
        for (const Series* s : {&A, &B, &C}) {
            const auto wall = s->threadCpu.find("");
            if (wall == s->threadCpu.end() || wall->second <= 0) continue;
            fmt::print("{}:", s->name);
            double total = 0;
            for (const auto& [thread, cpu] : s->threadCpu) {
                if (thread.empty()) continue;
                total += cpu;
                if (cpu / wall->second >= 0.005) fmt::print("  [{}] {:.1f}", thread, 100 * cpu / wall->second);
            }
            fmt::print("  | process {:.1f}\n", 100 * total / wall->second);
        }
    }
    const double a0 = A.median(&Round::tokPerSec);
    fmt::print("\nB/A: {:.3f}", B.median(&Round::tokPerSec) / a0);
    if (!C.rounds.empty()) fmt::print("   C/A: {:.3f}", C.median(&Round::tokPerSec) / a0);
    fmt::print("   (ratios of medians)\n");
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return tools::run_tool("tern-app-bench", run, argc, argv); }
