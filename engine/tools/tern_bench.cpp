// tern-bench: prompt-processing and decode speed of a model, as medians over repetitions; with
// --bandwidth, how close decode comes to this machine's memory-bandwidth bound; with --compare,
// the same measurements at another kernel level (e.g. scalar) in the same run, as ratios; with
// --compare-file, next to a peer engine's figures from llama-bench's JSON output.
#include "engine/model/default_model.h"
#include "engine/error.h"
#include "engine/tokenizer/json_file.h"
#include "engine/model/linear.h"
#include "engine/chat/session.h"
#include "engine/model/thread_pool.h"
#include "engine/tools/tool_args.h"
#include "kernels/dispatch.h"

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <chrono>
#include <cstring>
#include <fstream>
#include <vector>
#if defined(__linux__)
#include <unistd.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
#if defined(_MSC_VER)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#define TERN_BENCH_X86 1
#elif defined(_M_X64)
#include <intrin.h>
#define TERN_BENCH_X86 1
#endif

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
  -c N             context size of the session (default: what -d, -p and -n need)
  --kv TYPE        KV cache element type: f32 (default) or f16 (half the memory and attention
                   reads; keys/values rounded to half precision)
  --cpu LEVEL      kernel level: scalar, sse4, avx2, avxvnni, avx512, avx512vnni, neon, dotprod
                   (default: the best this CPU supports, or TERN_CPU)
  --compare LEVEL  also measure at LEVEL (e.g. scalar) in the same run and print ratios
  --compare-p N    prompt tokens for the comparison (default: min(p, 64))
  --compare-n N    decoded tokens for the comparison (default: min(n, 16))
  --bandwidth      measure read bandwidth with the same threads; print the decode bound
  --output-q8      requantise the output matrix to 8 bits at load (LoadOptions::output_q8)
  --no-screening   decode with the full F16 output pass (no 8-bit screening of the logits,
                   LoadOptions::output_screening); for A/B comparisons
  --no-repack      compute from the file's weight layout (no load-time repacking)
  --mmap           compute from the memory-mapped file
  --compare-file PEER.json
                   print Tern's figures next to a peer's, from llama-bench's `-o json` output
                   (bitnet.cpp, ik_llama.cpp, llama.cpp): one row per peer test (pp512,
                   tg128, ...), Tern measured with this run's -p/-n/-t/-d; a peer test this run
                   did not measure is listed without a Tern figure
  --json           one JSON object instead of text
)";

// The CPU's model name, reported with every figure: /proc/cpuinfo on Linux (what the user
// sees), else the x86 CPUID brand string, else "unknown".
std::string cpu_model_name() {
    std::ifstream info("/proc/cpuinfo");
    for (std::string line; std::getline(info, line);) {
        if (line.rfind("model name", 0) == 0 || line.rfind("Model", 0) == 0) {
            const size_t colon = line.find(':');
            if (colon != std::string::npos && colon + 2 <= line.size()) return line.substr(colon + 2);
        }
    }
#if defined(TERN_BENCH_X86)
    unsigned r[12] = {};
#if defined(_MSC_VER)
    int max[4];
    __cpuid(max, 0x80000000);
    if ((unsigned)max[0] >= 0x80000004)
        for (int i = 0; i < 3; ++i) __cpuid(reinterpret_cast<int*>(r + 4 * i), 0x80000002 + i);
#else
    if (__get_cpuid_max(0x80000000, nullptr) >= 0x80000004)
        for (unsigned i = 0; i < 3; ++i) __get_cpuid(0x80000002 + i, &r[4 * i], &r[4 * i + 1], &r[4 * i + 2], &r[4 * i + 3]);
#endif
    std::string brand(reinterpret_cast<const char*>(r), sizeof r);
    brand = brand.substr(0, brand.find('\0'));
    const size_t first = brand.find_first_not_of(' ');
    if (first != std::string::npos) return brand.substr(first);
#endif
    return "unknown";
}

// One test of a peer's llama-bench JSON (an array of objects; see tests/engine/llama-bench-peer.json).
struct PeerTest {
    std::string test;  // "pp512", "tg128", "pp512+tg128", with " @ dN" for a depth
    int n_prompt = 0, n_gen = 0, n_depth = 0, threads = 0;
    double tok_s = 0, stddev = 0;
    std::string cpu, backends, model;
};

std::vector<PeerTest> read_peer(const std::string& path) {
    const nlohmann::json doc = parse_json_file(path);
    if (!doc.is_array()) throw Error(path + ": expected llama-bench's JSON output (an array of objects)");
    auto str = [](const nlohmann::json& o, const char* key) {
        const nlohmann::json* v = json_find(o, key);
        return v && v->is_string() ? json_string(*v) : std::string();
    };
    auto num = [&](const nlohmann::json& o, const char* key, bool required) -> double {
        const nlohmann::json* v = json_find(o, key);
        if (!v) {
            if (required) throw Error(path + ": a test has no \"" + key + "\"");
            return 0;
        }
        return json_number(*v);
    };
    std::vector<PeerTest> out;
    for (const nlohmann::json& o : doc) {
        if (!o.is_object()) throw Error(path + ": expected an array of objects");
        PeerTest t;
        t.n_prompt = (int)num(o, "n_prompt", true);
        t.n_gen = (int)num(o, "n_gen", true);
        t.n_depth = (int)num(o, "n_depth", false);  // newer llama-bench only
        t.threads = (int)num(o, "n_threads", true);
        t.tok_s = num(o, "avg_ts", true);
        t.stddev = num(o, "stddev_ts", false);
        t.cpu = str(o, "cpu_info");
        t.backends = str(o, "backends");
        t.model = str(o, "model_filename");
        if (t.n_prompt > 0 && t.n_gen > 0) t.test = fmt::format("pp{}+tg{}", t.n_prompt, t.n_gen);
        else if (t.n_prompt > 0) t.test = fmt::format("pp{}", t.n_prompt);
        else t.test = fmt::format("tg{}", t.n_gen);
        if (t.n_depth > 0) t.test += fmt::format(" @ d{}", t.n_depth);
        out.push_back(std::move(t));
    }
    return out;
}

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

// The p-quantile of the screened steps' candidate counts (0 if none).
int32_t percentile(const ScreenStats& st, double p) {
    std::vector<int32_t> c = st.candidates;
    if (c.empty()) return 0;
    std::sort(c.begin(), c.end());
    return c[std::min(c.size() - 1, (size_t)(p * (double)c.size()))];
}

struct Speeds {
    double pp = 0, tg = 0;  // tok/s, medians
    ScreenStats screening;  // of the decode steps
};

Speeds measure(const Model& model, Session& session, int n_prompt, int n_gen, int reps, int depth) {
    std::vector<double> pp, tg;
    ScreenStats screening;
    // A greedy sampler without penalty: what the decode loop below does, told to the session so
    // that it can screen the output layer (Session::advance).
    SamplerParams greedy;
    greedy.temperature = 0;
    greedy.repeat_penalty = 1.0f;
    const Sampler sampler(greedy);
    // With depth > 0 both phases start after `depth` tokens already in the cache (prefilled
    // untimed, then reused as the prompt's prefix), as a chat turn late in a conversation does.
    const std::vector<int32_t> context = bench_tokens(model, depth);
    const std::vector<int32_t> prompt = bench_tokens(model, depth + n_prompt);
    for (int r = 0; r < reps; ++r) {
        if (n_prompt > 0) {
            session.reset();
            if (depth > 0) session.prefill(context, {}, &greedy);  // screened, as a chat turn
            auto t0 = std::chrono::steady_clock::now();
            // The prompt's last logits as a chat turn computes them: screened for the sampler
            // that follows (ChatEngine), so the full F16 pass does not make the whole output
            // matrix resident in the figures of a run.
            session.prefill(prompt, {}, &greedy);
            pp.push_back(n_prompt / seconds_since(t0));
        }
        if (n_gen > 0) {
            // Decode: one token at a time after a one-token prompt (plus the depth), greedy
            // feeding back argmax.
            session.reset();
            std::vector<int32_t> ctx = bench_tokens(model, depth + 1);
            session.prefill(ctx, {}, &greedy);
            auto t0 = std::chrono::steady_clock::now();
            for (int i = 0; i < n_gen; ++i) {
                const std::vector<float>& l = session.last_logits();
                screening.add(session.advance((int32_t)(std::max_element(l.begin(), l.end()) - l.begin()), sampler));
            }
            tg.push_back(n_gen / seconds_since(t0));
        }
    }
    return {median(pp), median(tg), screening};
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

// Resident bytes now (/proc/self/statm, Linux); 0 where unknown.
uint64_t current_rss_bytes() {
#if defined(__linux__)
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long long size = 0, resident = 0;
    const int got = std::fscanf(f, "%llu %llu", &size, &resident);
    std::fclose(f);
    return got == 2 ? (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
#else
    return 0;
#endif
}

int run(int argc, char** argv) {
    tools::Args a(argc, argv, {"-m", "-t", "-p", "-n", "-r", "-d", "-c", "--kv", "--cpu", "--compare", "--compare-p", "--compare-n",
                   "--compare-file"},
                  {"--json", "--mmap", "--help", "-h", "--version", "--bandwidth", "--output-q8", "--no-repack", "--no-screening"});
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
    // Read before the model loads: a bad file fails fast.
    const std::optional<std::string> peer_path = a.get("--compare-file");
    const std::vector<PeerTest> peer = peer_path ? read_peer(*peer_path) : std::vector<PeerTest>();
    const std::string cpu_model = cpu_model_name();

    LoadOptions lo;
    lo.n_threads = (int)a.get_int("-t", 0, 1, 1024);
    lo.use_mmap = a.has("--mmap");
    lo.output_q8 = a.has("--output-q8");
    lo.output_screening = !a.has("--no-screening");
    lo.repack = !a.has("--no-repack");
    std::unique_ptr<Model> model = Model::load(path, lo);
    SessionOptions so;
    const int needed = depth + std::max(n_prompt, n_gen + 1) + 1;
    so.n_ctx = (int32_t)a.get_int("-c", needed, 1, 1 << 24);
    if (so.n_ctx < needed) throw Error(fmt::format("-c {} is too small: this run needs {} tokens", so.n_ctx, needed));
    so.kv_type = tools::kv_type_option(a);
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
    // Resident now, after the measurements: the model plus the KV pages touched, without the
    // load's transient peak (Linux only; 0 elsewhere).
    const double rss_now_mib = current_rss_bytes() / 1048576.0;
    const double kv_mib = (double)KvCache::bytes_per_position(model->config().n_layer, model->config().n_head_kv,
                                                              model->config().head_dim, so.kv_type) *
                          so.n_ctx / 1048576.0;
    const double bandwidth = a.has("--bandwidth") ? read_bandwidth(model->n_threads()) : 0;
    const double bytes = (double)model->weight_bytes_per_token();
    const double bound = bandwidth > 0 ? bandwidth * 1e9 / bytes : 0;
    auto ratio = [](double x, double base) { return base > 0 ? x / base : 0.0; };
    // Tern's figure for a peer test: only one this run measured (same test, depth and threads).
    auto tern_for = [&](const PeerTest& t) -> double {
        if (t.threads != model->n_threads() || t.n_depth != depth) return 0;
        if (t.n_gen == 0 && t.n_prompt == n_prompt) return main.pp;
        if (t.n_prompt == 0 && t.n_gen == n_gen) return main.tg;
        return 0;  // pp+tg combined tests are not measured by tern-bench
    };

    if (json) {
        fmt::print("{{\"model\": {}, \"cpu_model\": {}, \"cpu_level\": \"{}\", \"threads\": {}, \"load_s\": {:.3f}, \"repack_s\": {:.3f}, "
                   "\"output_q8\": {}, \"pp_tokens\": {}, \"pp_tok_s\": {:.3f}, \"tg_tokens\": {}, \"depth\": {}, \"tg_tok_s\": {:.3f}, "
                   "\"reps\": {}, \"peak_rss_mib\": {:.1f}, \"rss_mib\": {:.1f}, \"kv_type\": \"{}\", \"n_ctx\": {}, \"kv_mib\": {:.1f}, \"weight_mib_per_token\": {:.1f}, \"weight_bytes_per_token\": {:.0f}, "
                   "\"bandwidth_gb_s\": {:.2f}, \"decode_bound_tok_s\": {:.3f}, \"decode_bound_fraction\": {:.4f}",
                   json_quote(path), json_quote(cpu_model), kernels::cpu_level_name(level), model->n_threads(), model->load_seconds(), model->repack_seconds(),
                   lo.output_q8 ? "true" : "false", n_prompt, main.pp, n_gen, depth, main.tg, reps, rss_mib, rss_now_mib,
                   kv_type_name(so.kv_type), so.n_ctx, kv_mib, bytes / 1048576.0,
                   bytes, bandwidth, bound, ratio(main.tg, bound));
        if (compare)
            fmt::print(", \"compare_level\": \"{}\", \"compare_pp_tokens\": {}, \"compare_pp_tok_s\": {:.3f}, "
                       "\"compare_tg_tokens\": {}, \"compare_tg_tok_s\": {:.3f}, \"pp_ratio\": {:.3f}, \"tg_ratio\": {:.3f}",
                       kernels::cpu_level_name(cmp_level), cmp_p, cmp.pp, cmp_n, cmp.tg, ratio(main.pp, cmp.pp),
                       ratio(main.tg, cmp.tg));
        if (peer_path) {
            fmt::print(", \"peer_file\": {}, \"peer\": [", json_quote(*peer_path));
            for (size_t i = 0; i < peer.size(); ++i) {
                const PeerTest& t = peer[i];
                const double mine = tern_for(t);
                fmt::print("{}{{\"test\": {}, \"threads\": {}, \"tern_tok_s\": {}, \"peer_tok_s\": {:.3f}, "
                           "\"peer_stddev_tok_s\": {:.3f}, \"ratio\": {}, \"peer_cpu_info\": {}, \"peer_backends\": {}, "
                           "\"peer_model\": {}}}",
                           i ? ", " : "", json_quote(t.test), t.threads, mine > 0 ? fmt::format("{:.3f}", mine) : "null",
                           t.tok_s, t.stddev, mine > 0 && t.tok_s > 0 ? fmt::format("{:.3f}", mine / t.tok_s) : "null",
                           json_quote(t.cpu), json_quote(t.backends), json_quote(t.model));
            }
            fmt::print("]");
        }
        fmt::print(", \"screening\": {}, \"screened_steps\": {}, \"candidates_median\": {}, \"candidates_p99\": {}, "
                   "\"screen_fallbacks\": {}",
                   model->can_screen() ? "true" : "false", main.screening.candidates.size(), percentile(main.screening, 0.5),
                   percentile(main.screening, 0.99),
                   main.screening.too_many + main.screening.unbounded + main.screening.violations);
        fmt::print("}}\n");
        return 0;
    }
    fmt::print("model: {}\nCPU: {}\nkernels: {} (CPU features: {})\nthreads: {}\n", path, cpu_model,
               kernels::cpu_level_name(level), kernels::cpu_feature_summary(), model->n_threads());
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
    if (n_gen > 0) {
        const ScreenStats& st = main.screening;
        if (model->can_screen())
            fmt::print("output screening: {} of {} decode steps screened, F16 rows recomputed median {}, p99 {}, max {}; "
                       "fallbacks {} (too many {}, unbounded {}, violations {})\n",
                       st.candidates.size(), st.candidates.size() + st.full + st.too_many + st.unbounded + st.violations,
                       percentile(st, 0.5), percentile(st, 0.99), percentile(st, 1.0),
                       st.too_many + st.unbounded + st.violations, st.too_many, st.unbounded, st.violations);
        else
            fmt::print("output screening: off\n");
    }
    fmt::print("weights read per decoded token: {:.1f} MiB ({:.3f} GB)\n", bytes / 1048576.0, bytes / 1e9);
    if (bandwidth > 0) {
        fmt::print("read bandwidth ({} threads): {:.1f} GB/s\n", model->n_threads(), bandwidth);
        fmt::print("decode bound (bandwidth / bytes): {:.1f} tok/s; reached {:.1f} %{}\n", bound, 100 * ratio(main.tg, bound),
                   compare && cmp.tg > 0 ? fmt::format(" ({} reached {:.1f} %)", kernels::cpu_level_name(cmp_level),
                                                       100 * ratio(cmp.tg, bound))
                                         : std::string());
    }
    fmt::print("KV cache: {}, {} tokens, {:.1f} MiB\n", kv_type_name(so.kv_type), so.n_ctx, kv_mib);
    fmt::print("peak RSS: {:.1f} MiB; RSS at the end: {:.1f} MiB\n", rss_mib, rss_now_mib);
    if (peer_path) {
        // Each figure with the machine and level it was measured on: the peer's own cpu_info
        // says where its file came from (it may be another machine).
        fmt::print("\nside by side with {} (llama-bench JSON)\n", *peer_path);
        fmt::print("Tern: {}, kernels {}, {} threads\n", cpu_model, kernels::cpu_level_name(level), model->n_threads());
        fmt::print("{:<16} {:>7} {:>12} {:>18} {:>7}\n", "test", "threads", "Tern tok/s", "peer tok/s", "ratio");
        for (const PeerTest& t : peer) {
            const double mine = tern_for(t);
            fmt::print("{:<16} {:>7} {:>12} {:>18} {:>7}\n", t.test, t.threads, mine > 0 ? fmt::format("{:.2f}", mine) : "-",
                       fmt::format("{:.2f} ± {:.2f}", t.tok_s, t.stddev),
                       mine > 0 && t.tok_s > 0 ? fmt::format("{:.2f}x", mine / t.tok_s) : "-");
        }
        std::vector<std::string> seen;  // each distinct peer setup once
        for (const PeerTest& t : peer) {
            const std::string who = fmt::format("peer: {} ({}), model {}", t.cpu.empty() ? "CPU not given" : t.cpu,
                                                t.backends.empty() ? "backend not given" : t.backends, t.model);
            if (std::find(seen.begin(), seen.end(), who) == seen.end()) {
                fmt::print("{}\n", who);
                seen.push_back(who);
            }
        }
        fmt::print("(a '-' Tern figure: not measured by this run; use -p/-n/-t/-d to match the peer's test)\n");
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return tern::tools::run_tool("tern-bench", run, argc, argv); }
