// Output screening (Tern issue 15, item 1): the logits of a decode step come from a Q8_0 copy of
// the output matrix with a rigorous per-row bound, and only rows that can reach the sampler's top
// K are recomputed from F16 (proof: ScreenRequest in engine/model/model.h; the bound: ScreenBounds
// in engine/model/linear.h). These tests check that sampling is exactly that of the full F16
// pass, that the bound holds row by row at every kernel level, and print the candidate counts.
#include "engine/chat/sampler.h"
#include "engine/chat/session.h"
#include "engine/gguf/gguf_reader.h"
#include "engine/model/linear.h"
#include "engine/model/model.h"
#include "engine/model/model_inspect.h"
#include "engine/model/thread_pool.h"
#include "engine/tokenizer/tokenizer.h"
#include "kernels/dispatch.h"
#include "kernels/fp16.h"
#include "tests/engine/test_support.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>

using namespace tern;

namespace {

std::string official_tiny() { return tern_test::data_dir() + "/models/bitnetcpp-2b4t-tiny-i2_s.gguf"; }

LoadOptions with_screening(bool on) {
    LoadOptions o = tern_test::threads(2);
    o.output_screening = on;
    o.screening_min_bytes = 0;  // the built-in model's 2 MiB matrix too
    return o;
}

struct Run {
    std::vector<int32_t> tokens;
    ScreenStats stats;
    std::vector<std::vector<std::pair<float, int32_t>>> top;  // top-40 (logit, id) per step
};

// The K best (logit desc, id asc) of a logits row's first n entries.
std::vector<std::pair<float, int32_t>> top_k(const std::vector<float>& l, int32_t n, size_t k) {
    std::vector<std::pair<float, int32_t>> v;
    for (int32_t i = 0; i < n; ++i)
        if (l[i] > -INFINITY) v.push_back({l[i], i});
    auto better = [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); };
    k = std::min(k, v.size());
    std::partial_sort(v.begin(), v.begin() + (std::ptrdiff_t)k, v.end(), better);
    v.resize(k);
    return v;
}

// decode()'s loop without its stops (an end-of-generation token does not end the run): n tokens
// sampled with `params`, each fed back through Session::advance.
Run run(const Model& m, bool screening, const SamplerParams& params, int n, const std::string& prompt, size_t keep_top = 0) {
    SessionOptions so;
    so.n_ctx = 512;  // the built-in model trained at 256: room for the prompt and n tokens
    Session s(m, so);
    s.set_screening(screening);
    const Tokenizer& tok = m.tokenizer();
    s.prefill(tok.encode(prompt, true, false), {}, &params);
    Sampler sampler(params);
    for (int32_t id : s.tokens()) sampler.accept(id);
    Run r;
    for (int i = 0; i < n; ++i) {
        const int32_t id = sampler.sample(s.last_logits().data(), tok.n_vocab());
        sampler.accept(id);
        r.tokens.push_back(id);
        r.stats.add(s.advance(id, sampler));
        if (keep_top) r.top.push_back(top_k(s.last_logits(), tok.n_vocab(), keep_top));
    }
    return r;
}

void report(const char* what, const ScreenStats& st) {
    std::vector<int32_t> c = st.candidates;
    std::sort(c.begin(), c.end());
    auto pct = [&](double p) { return c.empty() ? 0 : c[std::min(c.size() - 1, (size_t)(p * (double)c.size()))]; };
    std::printf("screening %s: %zu screened steps, candidates median %d, p99 %d, max %d; full %d, too many %d, "
                "unbounded %d, violations %d\n",
                what, c.size(), pct(0.5), pct(0.99), c.empty() ? 0 : c.back(), st.full, st.too_many, st.unbounded,
                st.violations);
}

SamplerParams greedy(float penalty, float frequency = 0.0f, float presence = 0.0f) {
    SamplerParams p;
    p.temperature = 0;
    p.repeat_penalty = penalty;
    p.frequency_penalty = frequency;
    p.presence_penalty = presence;
    return p;
}

// Greedy (with and without the repetition penalty), top-40 logits and seeded sampling: the
// screened model against one loaded without screening (the full F16 pass, R4 layout).
void check_model(const std::string& path, const char* name) {
    INFO(path);
    const auto a = Model::load(path, with_screening(true));
    const auto b = Model::load(path, with_screening(false));
    REQUIRE(a->can_screen());
    REQUIRE_FALSE(b->can_screen());
    const std::string prompt = "Once upon a time, in a small village,";
    for (float penalty : {1.0f, 1.1f}) {
        const Run ra = run(*a, true, greedy(penalty), 256, prompt);
        const Run rb = run(*b, true, greedy(penalty), 256, prompt);
        CHECK(ra.tokens == rb.tokens);
        CHECK(ra.stats.violations == 0);
        CHECK(rb.stats.full == 256);
        CHECK(!ra.stats.candidates.empty());
        report((std::string(name) + (penalty == 1.0f ? " greedy" : " greedy penalty 1.1")).c_str(), ra.stats);
    }
    // OpenAI's additive penalties on top (screening subtracts them from both bounds): positive,
    // and negative ones, which raise the seen tokens' logits.
    for (const auto& [frequency, presence] : {std::pair{0.5f, 0.3f}, std::pair{-0.4f, -0.6f}}) {
        INFO("frequency " << frequency << ", presence " << presence);
        const Run ra = run(*a, true, greedy(1.1f, frequency, presence), 256, prompt);
        const Run rb = run(*b, true, greedy(1.1f, frequency, presence), 256, prompt);
        CHECK(ra.tokens == rb.tokens);
        CHECK(ra.stats.violations == 0);
        CHECK(ra.stats.full == 0);
        CHECK(rb.stats.full == 256);
        report((std::string(name) + (frequency > 0 ? " greedy frequency 0.5 presence 0.3"
                                                   : " greedy frequency -0.4 presence -0.6")).c_str(),
               ra.stats);
    }
    {
        // Top 40 logits, bit-identical: top_k 40 without a penalty (with one, the guarantee is on
        // the 40 best penalised logits, which the sampling runs cover).
        SamplerParams p;
        p.top_k = 40;
        p.repeat_penalty = 1.0f;
        p.seed = 7;
        const Run ra = run(*a, true, p, 64, prompt, 40);
        const Run rb = run(*b, true, p, 64, prompt, 40);
        CHECK(ra.tokens == rb.tokens);
        REQUIRE(ra.top.size() == rb.top.size());
        for (size_t i = 0; i < ra.top.size(); ++i) {
            INFO("step " << i);
            CHECK(ra.top[i] == rb.top[i]);
        }
        report((std::string(name) + " top-40").c_str(), ra.stats);
    }
    {
        // Seeded top-k / top-p / min-p with the penalty, 200 tokens; and the same on the
        // screened model with screening switched off.
        SamplerParams p;
        p.temperature = 0.8f;
        p.top_k = 40;
        p.top_p = 0.95f;
        p.min_p = 0.05f;
        p.repeat_penalty = 1.1f;
        p.seed = 42;
        const Run ra = run(*a, true, p, 200, prompt);
        const Run rb = run(*b, true, p, 200, prompt);
        const Run ra_off = run(*a, false, p, 200, prompt);
        CHECK(ra.tokens == rb.tokens);
        CHECK(ra.tokens == ra_off.tokens);
        CHECK(ra_off.stats.full == 200);
        report((std::string(name) + " sampled").c_str(), ra.stats);
        p.top_k = 0;  // top-p over every token: needs every logit, never screened
        const Run full = run(*a, true, p, 8, prompt);
        CHECK(full.stats.full == 8);
    }
    // decode() itself reports the steps.
    Session s(*a);
    GenerateParams gp;
    gp.max_tokens = 32;
    gp.sampling = greedy(1.1f);
    const GenerateResult g = s.generate(a->tokenizer().encode(prompt, true, false), gp);
    // Each decode step, and the prefill's logits (the first token).
    CHECK(g.screening.candidates.size() == (size_t)g.n_decoded + 1);
    CHECK(g.screening.full == 0);
    CHECK(g.screening.violations == 0);
}

}  // namespace

TEST_CASE("screened decoding samples exactly as the full F16 pass: built-in model", "[screening]") {
    check_model(tern_test::builtin_model(), "built-in");
}

TEST_CASE("screened decoding samples exactly as the full F16 pass: 2B4T tiny", "[screening]") {
    check_model(official_tiny(), "2b4t-tiny");
}

TEST_CASE("screened decoding samples exactly as the full F16 pass: synthetic 2B4T", "[2b4t]") {
    const std::string path = tern_test::work_dir() + "/synthetic-2b4t-i2_s.gguf";
    INFO(path);
    const auto a = Model::load(path, with_screening(true));
    const auto b = Model::load(path, with_screening(false));
    const std::string prompt = "Once upon a time";
    for (float penalty : {1.0f, 1.1f}) {
        const Run ra = run(*a, true, greedy(penalty), 256, prompt);
        const Run rb = run(*b, true, greedy(penalty), 256, prompt);
        CHECK(ra.tokens == rb.tokens);
        CHECK(ra.stats.violations == 0);
        report(penalty == 1.0f ? "synthetic-2b4t greedy" : "synthetic-2b4t greedy penalty 1.1", ra.stats);
    }
}

namespace {

// A random F16 matrix with rows of very different scales and some outliers (what makes Q8_0's
// per-block scales coarse), and random activations of mixed scale.
std::vector<uint16_t> random_f16(int64_t rows, int64_t k, std::mt19937& rng) {
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::vector<uint16_t> w((size_t)(rows * k));
    for (int64_t r = 0; r < rows; ++r) {
        const float scale = std::ldexp(1.0f, (int)(rng() % 24) - 16);
        for (int64_t i = 0; i < k; ++i) {
            float v = nd(rng) * scale;
            if (rng() % 97 == 0) v *= 40.0f;
            if (rng() % 13 == 0) v = 0.0f;
            w[(size_t)(r * k + i)] = kernels::f32_to_fp16(v);
        }
    }
    return w;
}

}  // namespace

TEST_CASE("the screening bound holds for every row at every kernel level", "[screening]") {
    std::mt19937 rng(1234);
    const int64_t rows = 203, k = 256;  // rows not a multiple of 4: R4's padded last group
    const std::vector<uint16_t> w = random_f16(rows, k, rng);
    ThreadPool pool(2);
    const kernels::CpuLevel saved = kernels::active_cpu_level();
    for (bool repack : {false, true}) {
        LinearOptions o;
        o.screen = true;
        o.repack = repack;
        const WeightView view{"w", GgmlType::F16, k, rows, reinterpret_cast<const uint8_t*>(w.data()), w.size() * 2};
        const auto lin = make_linear(view, 1.0f, o);
        REQUIRE(lin->can_screen());
        for (kernels::CpuLevel level : kernels::supported_cpu_levels()) {
            kernels::set_active_cpu_level(level);
            INFO("level " << kernels::cpu_level_name(level) << (repack ? " R4" : " rows"));
            for (int trial = 0; trial < 20; ++trial) {
                std::normal_distribution<float> nd(0.0f, 1.0f);
                std::vector<float> x(k);
                const float xs = std::ldexp(1.0f, (int)(rng() % 16) - 8);
                for (float& v : x) v = nd(rng) * xs * (rng() % 31 == 0 ? 30.0f : 1.0f);
                std::vector<float> y(rows), lo(rows), hi(rows), part(rows, NAN);
                lin->forward(x.data(), y.data(), 1, pool);
                REQUIRE(lin->screen(x.data(), ScreenBounds{lo.data(), hi.data()}, pool));
                int outside = 0;
                double slack = 0;  // how close any row came to its bound (fraction of the width)
                for (int64_t r = 0; r < rows; ++r) {
                    if (!(lo[r] <= y[r] && y[r] <= hi[r])) ++outside;
                    const double half = 0.5 * ((double)hi[r] - lo[r]);
                    slack = std::max(slack, std::fabs(y[r] - 0.5 * ((double)hi[r] + lo[r])) / half);
                }
                CHECK(outside == 0);
                CHECK(slack < 1.0);
                // The chosen rows, recomputed alone, are bit-identical to the full pass.
                std::vector<int32_t> pick;
                for (int32_t r = 0; r < rows; r += 1 + (int32_t)(rng() % 9)) pick.push_back(r);
                pick.push_back((int32_t)rows - 1);
                lin->forward_rows(x.data(), pick.data(), (int64_t)pick.size(), part.data(), pool);
                for (int32_t r : pick) CHECK(std::memcmp(&part[r], &y[r], sizeof(float)) == 0);
            }
        }
    }
    kernels::set_active_cpu_level(saved);
}

TEST_CASE("non-finite input or weights fall back to the full pass", "[screening]") {
    std::mt19937 rng(5);
    const int64_t rows = 64, k = 64;
    std::vector<uint16_t> w = random_f16(rows, k, rng);
    ThreadPool pool(1);
    LinearOptions o;
    o.screen = true;
    {
        const WeightView view{"w", GgmlType::F16, k, rows, reinterpret_cast<const uint8_t*>(w.data()), w.size() * 2};
        const auto lin = make_linear(view, 1.0f, o);
        std::vector<float> x(k, 1.0f), lo(rows), hi(rows);
        x[3] = NAN;
        CHECK_FALSE(lin->screen(x.data(), ScreenBounds{lo.data(), hi.data()}, pool));
        x[3] = INFINITY;
        CHECK_FALSE(lin->screen(x.data(), ScreenBounds{lo.data(), hi.data()}, pool));
    }
    w[5] = 0x7c00;  // +inf weight: no bound can be given, the layer is never screened
    const WeightView view{"w", GgmlType::F16, k, rows, reinterpret_cast<const uint8_t*>(w.data()), w.size() * 2};
    CHECK_FALSE(make_linear(view, 1.0f, o)->can_screen());
}

TEST_CASE("the screened layout: output matrix mapped, a Q8_0 copy owned", "[screening]") {
    const std::string path = official_tiny();
    const GgufFile f = GgufFile::open(path);
    const GgufTensorInfo& embd = f.get_tensor("token_embd.weight");
    const ModelInspection on = inspect_model(f, with_screening(true));
    const ModelInspection off = inspect_model(f, with_screening(false));
    const uint64_t rows = embd.n_elements() / embd.ne[0];
    CHECK(on.screen_bytes == rows * (uint64_t)(embd.ne[0] / 32 * 34) + 12 * rows);
    CHECK(on.mapped_bytes == embd.nbytes);  // tied output: kept in the file's layout
    CHECK(off.mapped_bytes == 0);
    CHECK(off.screen_bytes == 0);
    const auto m = Model::load(path, with_screening(true));
    CHECK(m->in_mapping(m->token_embd().weight_data(), m->token_embd().weight_bytes()));
    CHECK(m->token_embd().screen_bytes() == on.screen_bytes);
    // output_q8 and use_mmap turn screening off.
    LoadOptions q8 = with_screening(true);
    q8.output_q8 = true;
    CHECK(inspect_model(f, q8).screen_bytes == 0);
    LoadOptions mm = with_screening(true);
    mm.use_mmap = true;
    CHECK(inspect_model(f, mm).screen_bytes == 0);
    // Every logit is still available where needed (logits_all, prefill): the full pass.
    Session s(*m);
    const std::vector<float> all = s.logits_all({128000, 791, 6864});
    const auto b = Model::load(path, with_screening(false));
    Session sb(*b);
    CHECK(all == sb.logits_all({128000, 791, 6864}));
}

TEST_CASE("small output matrices are not screened by default", "[screening]") {
    // The built-in model's 2 MiB F16 matrix stays in cache: the full pass is faster there.
    LoadOptions defaults = tern_test::threads(1);
    CHECK_FALSE(Model::load(tern_test::builtin_model(), defaults)->can_screen());
    CHECK(Model::load(official_tiny(), defaults)->can_screen());  // 64 MiB
    defaults.screening_min_bytes = 0;
    CHECK(Model::load(tern_test::builtin_model(), defaults)->can_screen());
}
