// tern-bench: prompt-processing and decode speed of a model, as medians over repetitions; with
// --bandwidth, how close decode comes to this machine's memory-bandwidth bound; with --compare,
// the same measurements at another kernel level (e.g. scalar) in the same run, as ratios.
#include "engine/default_model.h"
#include "engine/error.h"
#include "engine/linear.h"
#include "engine/session.h"
#include "engine/thread_pool.h"
#include "engine/tools/tool_args.h"
#include "kernels/dispatch.h"

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <vector>

using namespace tern;

namespace {

// A string as a JSON string literal. Needed for the model path: Windows paths are full of
// backslashes ("C:\Users\...") that would otherwise make --json output invalid.
std::string json_quote(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if ((unsigned char)c < 0x20) {
            out += fmt::format("\\u{:04x}", (unsigned)(unsigned char)c);
        } else {
            out += c;
        }
    }
    return out + "\"";
}

const char* kUsage = R"(usage: tern-bench [-m MODEL] [-t THREADS] [-p 512] [-n 128] [-r 3] [options]

  -p N             prompt tokens processed at once (pp), 0 to skip
  -n N             tokens decoded one at a time (tg), 0 to skip
  -r N             repetitions; the median is reported
  -d N             context depth: both measurements start after N tokens already in the cache
  --cpu LEVEL      kernel level: scalar, sse4, avx2, avxvnni, avx512, avx512vnni, neon, dotprod
                   (default: the best this CPU supports, or TERN_CPU)
  --compare LEVEL  also measure at LEVEL (e.g. scalar) in the same run and print ratios
  --compare-p N    prompt tokens for the comparison (default: min(p, 64))
  --compare-n N    decoded tokens for the comparison (default: min(n, 16))
  --bandwidth      measure read bandwidth with the same threads; print the decode bound
  --output-q8      requantise the output matrix to 8 bits at load (LoadOptions::output_q8)
  --no-repack      compute from the file's weight layout (no load-time repacking)
  --mmap           compute from the memory-mapped file
  --json           one JSON object instead of text
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

struct Speeds {
    double pp = 0, tg = 0;  // tok/s, medians
};

Speeds measure(const Model& model, Session& session, int n_prompt, int n_gen, int reps, int depth) {
    std::vector<double> pp, tg;
    // With depth > 0 both phases start after `depth` tokens already in the cache (prefilled
    // untimed, then reused as the prompt's prefix), as a chat turn late in a conversation does.
    const std::vector<int32_t> context = bench_tokens(model, depth);
    const std::vector<int32_t> prompt = bench_tokens(model, depth + n_prompt);
    for (int r = 0; r < reps; ++r) {
        if (n_prompt > 0) {
            session.reset();
            if (depth > 0) session.prefill(context);
            auto t0 = std::chrono::steady_clock::now();
            session.prefill(prompt);
            pp.push_back(n_prompt / seconds_since(t0));
        }
        if (n_gen > 0) {
            // Decode: one token at a time after a one-token prompt (plus the depth), greedy
            // feeding back argmax.
            session.reset();
            std::vector<int32_t> ctx = bench_tokens(model, depth + 1);
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
    return {median(pp), median(tg)};
}

// Read bandwidth with `threads` threads of the engine's pool streaming a 1 GiB buffer of the same
// kind of memory the weights live in, split as a matrix product splits its rows; best of
// several passes, GB/s.
double read_bandwidth(int threads) {
    const uint64_t bytes = 1ull << 30;
    WeightBuffer buf(bytes);
    ThreadPool pool(threads);
    constexpr int64_t kChunk = 2 << 20;
    const int64_t chunks = (int64_t)(bytes / kChunk);
    pool.parallel_for(chunks, [&](int64_t c0, int64_t c1) {  // touch it (page faults) first
        std::memset(buf.data() + c0 * kChunk, 1, (c1 - c0) * kChunk);
    });
    const kernels::KernelTable& kt = kernels::active_kernels();
    std::atomic<uint64_t> sink{0};
    double best = 1e30;
    for (int pass = 0; pass < 8; ++pass) {
        auto t0 = std::chrono::steady_clock::now();
        // Handed out like the weight rows of a matrix product: contiguous runs, a few per thread.
        pool.parallel_for(chunks, [&](int64_t c0, int64_t c1) {
            sink.fetch_xor(kt.xor_words(buf.data() + c0 * kChunk, (c1 - c0) * kChunk), std::memory_order_relaxed);
        });
        best = std::min(best, seconds_since(t0));
    }
    if (sink.load() == 0x5eed) fmt::print(" ");  // keeps the loads alive
    return bytes / best / 1e9;
}

int run(int argc, char** argv) {
    tools::Args a(argc, argv, {"-m", "-t", "-p", "-n", "-r", "-d", "--cpu", "--compare", "--compare-p", "--compare-n"},
                  {"--json", "--mmap", "--help", "-h", "--version", "--bandwidth", "--output-q8", "--no-repack"});
    if (a.has("--help") || a.has("-h")) { std::fputs(kUsage, stdout); return 0; }
    if (a.has("--version")) { fmt::print("tern-bench {}\n", TERN_VERSION); return 0; }
    std::string path = a.get_or("-m", default_model_path(argv[0]));
    if (path.empty()) throw Error("no model given and no built-in model installed; use -m MODEL.gguf");
    const int n_prompt = (int)a.get_int("-p", 512, 0, 1 << 20);
    const int n_gen = (int)a.get_int("-n", 128, 0, 1 << 20);
    const int reps = (int)a.get_int("-r", 3, 1, 1000);
    const int depth = (int)a.get_int("-d", 0, 0, 1 << 20);
    const bool json = a.has("--json");
    auto level_arg = [&](const char* opt) -> std::optional<kernels::CpuLevel> {
        std::optional<std::string> name = a.get(opt);
        if (!name) return std::nullopt;
        std::optional<kernels::CpuLevel> l = kernels::cpu_level_from_name(*name);
        if (!l) throw Error("unknown " + std::string(opt) + " level '" + *name + "'");
        return l;
    };
    if (auto l = level_arg("--cpu")) kernels::set_active_cpu_level(*l);
    const std::optional<kernels::CpuLevel> compare = level_arg("--compare");
    const kernels::CpuLevel level = kernels::active_cpu_level();

    LoadOptions lo;
    lo.n_threads = (int)a.get_int("-t", 0, 1, 1024);
    lo.use_mmap = a.has("--mmap");
    lo.output_q8 = a.has("--output-q8");
    lo.repack = !a.has("--no-repack");
    std::unique_ptr<Model> model = Model::load(path, lo);
    SessionOptions so;
    so.n_ctx = depth + std::max(n_prompt, n_gen + 1) + 1;
    Session session(*model, so);

    const Speeds main = measure(*model, session, n_prompt, n_gen, reps, depth);
    Speeds cmp;
    int cmp_p = 0, cmp_n = 0;
    kernels::CpuLevel cmp_level = level;
    if (compare) {
        cmp_p = (int)a.get_int("--compare-p", std::min(n_prompt, 64), 0, 1 << 20);
        cmp_n = (int)a.get_int("--compare-n", std::min(n_gen, 16), 0, 1 << 20);
        // The weight layouts are the same at every level, so the loaded model is reused.
        cmp_level = kernels::set_active_cpu_level(*compare);
        cmp = measure(*model, session, cmp_p, cmp_n, 1, depth);
        kernels::set_active_cpu_level(level);
    }
    const double rss_mib = tools::peak_rss_bytes() / 1048576.0;  // before the bandwidth buffer
    const double bandwidth = a.has("--bandwidth") ? read_bandwidth(model->n_threads()) : 0;
    const double bytes = (double)model->weight_bytes_per_token();
    const double bound = bandwidth > 0 ? bandwidth * 1e9 / bytes : 0;
    auto ratio = [](double x, double base) { return base > 0 ? x / base : 0.0; };

    if (json) {
        fmt::print("{{\"model\": {}, \"cpu_level\": \"{}\", \"threads\": {}, \"load_s\": {:.3f}, \"repack_s\": {:.3f}, "
                   "\"output_q8\": {}, \"pp_tokens\": {}, \"pp_tok_s\": {:.3f}, \"tg_tokens\": {}, \"depth\": {}, \"tg_tok_s\": {:.3f}, "
                   "\"reps\": {}, \"peak_rss_mib\": {:.1f}, \"weight_mib_per_token\": {:.1f}, \"weight_bytes_per_token\": {:.0f}, "
                   "\"bandwidth_gb_s\": {:.2f}, \"decode_bound_tok_s\": {:.3f}, \"decode_bound_fraction\": {:.4f}",
                   json_quote(path), kernels::cpu_level_name(level), model->n_threads(), model->load_seconds(), model->repack_seconds(),
                   lo.output_q8 ? "true" : "false", n_prompt, main.pp, n_gen, depth, main.tg, reps, rss_mib, bytes / 1048576.0,
                   bytes, bandwidth, bound, ratio(main.tg, bound));
        if (compare)
            fmt::print(", \"compare_level\": \"{}\", \"compare_pp_tokens\": {}, \"compare_pp_tok_s\": {:.3f}, "
                       "\"compare_tg_tokens\": {}, \"compare_tg_tok_s\": {:.3f}, \"pp_ratio\": {:.3f}, \"tg_ratio\": {:.3f}",
                       kernels::cpu_level_name(cmp_level), cmp_p, cmp.pp, cmp_n, cmp.tg, ratio(main.pp, cmp.pp),
                       ratio(main.tg, cmp.tg));
        fmt::print("}}\n");
        return 0;
    }
    fmt::print("model: {}\nkernels: {} (CPU: {})\nthreads: {}\n", path, kernels::cpu_level_name(level),
               kernels::cpu_feature_summary(), model->n_threads());
    fmt::print("load: {:.2f} s, of which repacking/requantising {:.2f} s{}\n", model->load_seconds(),
               model->repack_seconds(), lo.output_q8 ? " (8-bit output matrix)" : "");
    auto vs = [&](double x, double base) {
        return compare && base > 0 ? fmt::format("  ({:.1f}x {})", x / base, kernels::cpu_level_name(cmp_level)) : std::string();
    };
    const std::string at_depth = depth > 0 ? fmt::format(" @ d{}", depth) : "";
    if (n_prompt > 0) fmt::print("pp{}{}: {:.2f} tok/s (median of {}){}\n", n_prompt, at_depth, main.pp, reps, vs(main.pp, cmp.pp));
    if (n_gen > 0) fmt::print("tg{}{}: {:.2f} tok/s (median of {}){}\n", n_gen, at_depth, main.tg, reps, vs(main.tg, cmp.tg));
    if (compare) {
        const char* name = kernels::cpu_level_name(cmp_level);
        if (cmp_p > 0) fmt::print("  {} pp{}: {:.2f} tok/s (same run)\n", name, cmp_p, cmp.pp);
        if (cmp_n > 0) fmt::print("  {} tg{}: {:.2f} tok/s (same run)\n", name, cmp_n, cmp.tg);
    }
    fmt::print("weights read per decoded token: {:.1f} MiB ({:.3f} GB)\n", bytes / 1048576.0, bytes / 1e9);
    if (bandwidth > 0) {
        fmt::print("read bandwidth ({} threads): {:.1f} GB/s\n", model->n_threads(), bandwidth);
        fmt::print("decode bound (bandwidth / bytes): {:.1f} tok/s; reached {:.1f} %{}\n", bound, 100 * ratio(main.tg, bound),
                   compare && cmp.tg > 0 ? fmt::format(" ({} reached {:.1f} %)", kernels::cpu_level_name(cmp_level),
                                                       100 * ratio(cmp.tg, bound))
                                         : std::string());
    }
    fmt::print("peak RSS: {:.1f} MiB\n", rss_mib);
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return tern::tools::run_tool("tern-bench", run, argc, argv); }
