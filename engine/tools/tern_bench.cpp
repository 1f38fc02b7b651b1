// tern-bench: prompt-processing and decode speed of a model, as medians over repetitions.
#include "engine/error.h"
#include "engine/session.h"
#include "engine/tools/default_model.h"
#include "engine/tools/tool_args.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <vector>

using namespace tern;

namespace {

const char* kUsage = R"(usage: tern-bench [-m MODEL] [-t THREADS] [-p 512] [-n 128] [-r 3] [--mmap] [--json]

  -p N     prompt tokens processed at once (pp), 0 to skip
  -n N     tokens decoded one at a time (tg), 0 to skip
  -r N     repetitions; the median is reported
)";

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

// Deterministic, valid, non-special token ids: speed does not depend on which tokens they are.
std::vector<int32_t> bench_tokens(const Model& m, int n) {
    std::vector<int32_t> ids(n);
    const int32_t span = std::max(1, std::min(m.config().n_vocab, 32000));
    for (int i = 0; i < n; ++i) ids[i] = (int32_t)((i * 7919 + 13) % span);
    return ids;
}

int run(int argc, char** argv) {
    tools::Args a(argc, argv, {"-m", "-t", "-p", "-n", "-r"}, {"--json", "--mmap", "--help", "-h", "--version"});
    if (a.has("--help") || a.has("-h")) { std::fputs(kUsage, stdout); return 0; }
    if (a.has("--version")) { fmt::print("tern-bench {}\n", TERN_VERSION); return 0; }
    std::string path = a.get_or("-m", tools::default_model_path(argv[0]));
    if (path.empty()) throw Error("no model given and no built-in model installed; use -m MODEL.gguf");
    const int n_prompt = (int)a.get_int("-p", 512, 0, 1 << 20);
    const int n_gen = (int)a.get_int("-n", 128, 0, 1 << 20);
    const int reps = (int)a.get_int("-r", 3, 1, 1000);
    const bool json = a.has("--json");

    LoadOptions lo;
    lo.n_threads = (int)a.get_int("-t", 0, 1, 1024);
    lo.use_mmap = a.has("--mmap");
    std::unique_ptr<Model> model = Model::load(path, lo);
    SessionOptions so;
    so.n_ctx = std::max(n_prompt, n_gen + 1) + 1;
    Session session(*model, so);

    std::vector<double> pp, tg;
    for (int r = 0; r < reps; ++r) {
        if (n_prompt > 0) {
            session.reset();
            auto t0 = std::chrono::steady_clock::now();
            session.prefill(bench_tokens(*model, n_prompt));
            pp.push_back(n_prompt / seconds_since(t0));
        }
        if (n_gen > 0) {
            // Decode: one token at a time from a one-token prompt, greedy feeding back argmax.
            session.reset();
            std::vector<int32_t> ctx = bench_tokens(*model, 1);
            session.prefill(ctx);
            auto t0 = std::chrono::steady_clock::now();
            for (int i = 0; i < n_gen; ++i) {
                const std::vector<float>& l = session.last_logits();
                ctx.push_back((int32_t)(std::max_element(l.begin(), l.end()) - l.begin()));
                session.prefill(ctx);
            }
            tg.push_back(n_gen / seconds_since(t0));
        }
    }
    const double rss_mib = tools::peak_rss_bytes() / 1048576.0;
    const double weights_mib = model->weight_bytes_per_token() / 1048576.0;
    if (json) {
        fmt::print("{{\"model\": \"{}\", \"threads\": {}, \"load_s\": {:.3f}, \"pp_tokens\": {}, \"pp_tok_s\": {:.3f}, "
                   "\"tg_tokens\": {}, \"tg_tok_s\": {:.3f}, \"reps\": {}, \"peak_rss_mib\": {:.1f}, "
                   "\"weight_mib_per_token\": {:.1f}}}\n",
                   path, model->n_threads(), model->load_seconds(), n_prompt, median(pp), n_gen, median(tg), reps,
                   rss_mib, weights_mib);
    } else {
        fmt::print("model: {}\nthreads: {}\nload: {:.2f} s\n", path, model->n_threads(), model->load_seconds());
        if (n_prompt > 0) fmt::print("pp{}: {:.2f} tok/s (median of {})\n", n_prompt, median(pp), reps);
        if (n_gen > 0) fmt::print("tg{}: {:.2f} tok/s (median of {})\n", n_gen, median(tg), reps);
        fmt::print("weights read per decoded token: {:.1f} MiB\npeak RSS: {:.1f} MiB\n", weights_mib, rss_mib);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        fmt::print(stderr, "tern-bench: error: {}\n", e.what());
        return 1;
    }
}
