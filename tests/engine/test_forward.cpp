// The forward pass against a straightforward reference written here from the maths in
// bitnet-formats.md §1.2-1.3: weights dequantised to float, plain loops, double accumulation,
// the same per-token absmax int8 rounding of activations before every ternary layer.
#include "engine/gguf/gguf_reader.h"
#include "engine/gguf/npy.h"
#include "kernels/dispatch.h"
#include "engine/model/model.h"
#include "engine/chat/session.h"
#include "engine/tokenizer/tokenizer.h"
#include "kernels/fp16.h"
#include "kernels/ternary_formats.h"
#include "tests/engine/test_support.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>

using namespace tern;

namespace {

struct RefMatrix {  // out x in, row-major, dequantised
    int64_t in = 0, out = 0;
    std::vector<float> w;
    bool ternary = false;
    float extra_scale = 1.0f;
};

RefMatrix dequantise(const GgufFile& f, const std::string& name) {
    const GgufTensorInfo* t = f.find_tensor(name);
    REQUIRE(t != nullptr);
    RefMatrix m;
    m.in = t->ne[0];
    m.out = t->n_elements() / m.in;
    const int64_t n = m.in * m.out;
    m.w.resize(n);
    const uint8_t* p = f.tensor_data(*t);
    std::vector<int8_t> tern(n);
    switch (t->type) {
        case GgmlType::F16:
            for (int64_t i = 0; i < n; ++i) m.w[i] = kernels::fp16_to_f32(reinterpret_cast<const uint16_t*>(p)[i]);
            break;
        case GgmlType::F32: std::memcpy(m.w.data(), p, n * 4); break;
        case GgmlType::I2_S: {
            const float s = kernels::i2s_unpack(p, n, tern.data());
            for (int64_t i = 0; i < n; ++i) m.w[i] = tern[i] * s;
            m.ternary = true;
            break;
        }
        case GgmlType::TQ2_0:
        case GgmlType::TQ1_0: {
            std::vector<float> d(n / 256);
            if (t->type == GgmlType::TQ2_0) kernels::tq2_0_unpack(p, n, tern.data(), d.data());
            else kernels::tq1_0_unpack(p, n, tern.data(), d.data());
            for (int64_t i = 0; i < n; ++i) m.w[i] = tern[i] * d[i / 256];
            m.ternary = true;
            break;
        }
        default: FAIL("unexpected type");
    }
    return m;
}

std::vector<double> ref_linear(const RefMatrix& m, const std::vector<double>& x) {
    std::vector<double> xq(x.begin(), x.end());
    double act_scale = 1.0;
    if (m.ternary) {  // per-token absmax int8, round half to even
        double mx = 0;
        for (double v : x) mx = std::max(mx, (double)std::fabs(v));
        act_scale = 127.0 / std::max(mx, 1e-5);
        for (double& v : xq) v = std::min(127.0, std::max(-128.0, std::nearbyint((double)((float)v * (float)act_scale))));
    }
    std::vector<double> y(m.out);
    for (int64_t r = 0; r < m.out; ++r) {
        double s = 0;
        for (int64_t k = 0; k < m.in; ++k) s += (double)m.w[r * m.in + k] * xq[k];
        y[r] = s / act_scale * m.extra_scale;
    }
    return y;
}

std::vector<double> ref_rmsnorm(const std::vector<double>& x, const std::vector<float>& w, double eps) {
    double ss = 0;
    for (double v : x) ss += v * v;
    const double inv = 1.0 / std::sqrt(ss / x.size() + eps);
    std::vector<double> y(x.size());
    for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * inv * w[i];
    return y;
}

void ref_rope(double* h, int dim, int pos, double base, bool neox) {
    for (int i = 0; i < dim / 2; ++i) {
        const double theta = pos * std::pow(base, -2.0 * i / dim);
        const int a = neox ? i : 2 * i, b = neox ? i + dim / 2 : 2 * i + 1;
        const double x0 = h[a], x1 = h[b];
        h[a] = x0 * std::cos(theta) - x1 * std::sin(theta);
        h[b] = x0 * std::sin(theta) + x1 * std::cos(theta);
    }
}

// Logits of every position of `tokens` for the tiny synthetic model at `path`. f16_kv: keys
// (after RoPE) and values rounded to the nearest half, as an F16 KV cache stores them.
std::vector<std::vector<double>> reference_logits(const std::string& path, const std::vector<int32_t>& tokens,
                                                  bool f16_kv = false) {
    GgufFile f = GgufFile::open(path);
    const std::string arch = f.get_string("general.architecture");
    const bool bitnet = arch != "llama", relu2 = arch == "bitnet-b1.58";
    const int E = (int)f.get_uint(arch + ".embedding_length"), L = (int)f.get_uint(arch + ".block_count");
    const int H = (int)f.get_uint(arch + ".attention.head_count"), HKV = (int)f.get_uint(arch + ".attention.head_count_kv");
    const int hd = E / H;
    const double eps = f.get_float(arch + ".attention.layer_norm_rms_epsilon"), base = f.get_float(arch + ".rope.freq_base");
    auto vec = [&](const std::string& n) { return dequantise(f, n).w; };
    auto mat = [&](const std::string& n) {
        RefMatrix m = dequantise(f, n + ".weight");
        if (const GgufTensorInfo* s = f.find_tensor(n + ".scale")) m.extra_scale = *reinterpret_cast<const float*>(f.tensor_data(*s));
        return m;
    };
    const RefMatrix embd = dequantise(f, "token_embd.weight");
    const RefMatrix out = f.find_tensor("output.weight") ? dequantise(f, "output.weight") : embd;

    const size_t T = tokens.size();
    std::vector<std::vector<double>> x(T);
    for (size_t t = 0; t < T; ++t) x[t].assign(embd.w.begin() + tokens[t] * E, embd.w.begin() + (tokens[t] + 1) * E);
    for (int l = 0; l < L; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        RefMatrix wq = mat(b + "attn_q"), wk = mat(b + "attn_k"), wv = mat(b + "attn_v"), wo = mat(b + "attn_output");
        RefMatrix wg = mat(b + "ffn_gate"), wu = mat(b + "ffn_up"), wd = mat(b + "ffn_down");
        std::vector<std::vector<double>> q(T), k(T), v(T);
        for (size_t t = 0; t < T; ++t) {
            auto a = ref_rmsnorm(x[t], vec(b + "attn_norm.weight"), eps);
            q[t] = ref_linear(wq, a), k[t] = ref_linear(wk, a), v[t] = ref_linear(wv, a);
            for (int h = 0; h < H; ++h) ref_rope(&q[t][h * hd], hd, (int)t, base, bitnet);
            for (int h = 0; h < HKV; ++h) ref_rope(&k[t][h * hd], hd, (int)t, base, bitnet);
            if (f16_kv)
                for (auto* kv : {&k[t], &v[t]})
                    for (double& e : *kv) e = kernels::fp16_to_f32(kernels::f32_to_fp16((float)e));
        }
        for (size_t t = 0; t < T; ++t) {
            std::vector<double> o(E);
            for (int h = 0; h < H; ++h) {
                const int kh = h / (H / HKV);
                std::vector<double> s(t + 1);
                double mx = -1e300, sum = 0;
                for (size_t p = 0; p <= t; ++p) {
                    for (int d = 0; d < hd; ++d) s[p] += q[t][h * hd + d] * k[p][kh * hd + d];
                    s[p] /= std::sqrt((double)hd);
                    mx = std::max(mx, s[p]);
                }
                for (double& e : s) sum += (e = std::exp(e - mx));
                for (size_t p = 0; p <= t; ++p)
                    for (int d = 0; d < hd; ++d) o[h * hd + d] += s[p] / sum * v[p][kh * hd + d];
            }
            if (bitnet) o = ref_rmsnorm(o, vec(b + "attn_sub_norm.weight"), eps);
            auto ao = ref_linear(wo, o);
            for (int i = 0; i < E; ++i) x[t][i] += ao[i];
            auto fn = ref_rmsnorm(x[t], vec(b + "ffn_norm.weight"), eps);
            auto g = ref_linear(wg, fn), u = ref_linear(wu, fn);
            for (size_t i = 0; i < g.size(); ++i)
                g[i] = relu2 ? std::pow(std::max(g[i], 0.0), 2) * u[i] : g[i] / (1 + std::exp(-g[i])) * u[i];
            if (bitnet) g = ref_rmsnorm(g, vec(b + "ffn_sub_norm.weight"), eps);
            auto d = ref_linear(wd, g);
            for (int i = 0; i < E; ++i) x[t][i] += d[i];
        }
    }
    std::vector<std::vector<double>> logits(T);
    for (size_t t = 0; t < T; ++t) logits[t] = ref_linear(out, ref_rmsnorm(x[t], vec("output_norm.weight"), eps));
    return logits;
}

const std::vector<int32_t> kTokens = {256, 72, 101, 108, 108, 111, 44, 32, 119, 111, 114, 108, 100};

void compare_with_reference(const std::string& arch, GgmlType type, KvType kv = KvType::F32) {
    const std::string path = tern_test::tiny_model(arch, type);
    auto model = Model::load(path, tern_test::threads(2));
    SessionOptions so;
    so.kv_type = kv;
    Session session(*model, so);
    std::vector<float> got = session.logits_all(kTokens);
    auto want = reference_logits(path, kTokens, kv == KvType::F16);
    const int V = model->config().n_vocab;
    double worst = 0, scale = 0;
    for (size_t t = 0; t < kTokens.size(); ++t)
        for (int v = 0; v < V; ++v) {
            worst = std::max(worst, std::fabs(got[t * V + v] - want[t][v]));
            scale = std::max(scale, std::fabs(want[t][v]));
        }
    INFO(arch << " " << ggml_type_name(type) << " KV " << kv_type_name(kv) << ": max |engine - reference| = " << worst
              << ", max |logit| = " << scale);
    if (kv == KvType::F16) {  // how far F16 keys/values move the logits from the F32-KV reference
        const auto exact = reference_logits(path, kTokens, false);
        double moved = 0;
        for (size_t t = 0; t < kTokens.size(); ++t)
            for (int v = 0; v < V; ++v) moved = std::max(moved, std::fabs(got[t * V + v] - exact[t][v]));
        WARN(arch << " " << ggml_type_name(type) << ": max |F16-KV engine - F32-KV reference| = " << moved
                  << ", max |logit| = " << scale);
    }
    CHECK(scale > 0.5);            // the model is not degenerate
    CHECK(worst < 2e-3 * scale);   // float vs double accumulation, nothing more
}

}  // namespace

TEST_CASE("forward pass matches the float reference: bitnet-b1.58, I2_S", "[forward]") {
    compare_with_reference("bitnet-b1.58", GgmlType::I2_S);
}

TEST_CASE("forward pass matches the float reference: bitnet (SiLU, .scale tensors), TQ2_0", "[forward]") {
    compare_with_reference("bitnet", GgmlType::TQ2_0);
}

TEST_CASE("forward pass matches the float reference: llama (adjacent RoPE, own output), TQ1_0", "[forward]") {
    compare_with_reference("llama", GgmlType::TQ1_0);
}

// An F16 KV cache rounds every key and value to half precision (relative 2^-11), which moves
// the logits of these tiny random models by up to ~2 % of their range (the int8 quantisation
// of the attention output amplifies small changes when a value crosses a rounding boundary):
// beyond the tolerance above. So the reference rounds its keys and values the same way, and
// then the tolerance above (float vs double accumulation) holds.
TEST_CASE("forward pass with an F16 KV cache matches the float reference with F16 keys/values", "[forward]") {
    compare_with_reference("bitnet-b1.58", GgmlType::I2_S, KvType::F16);
    compare_with_reference("bitnet", GgmlType::TQ2_0, KvType::F16);
    compare_with_reference("llama", GgmlType::TQ1_0, KvType::F16);
}

namespace {
double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, (double)std::fabs(a[i] - b[i]));
    return worst;
}
double max_abs_of(const std::vector<float>& a) {
    double m = 0;
    for (float x : a) m = std::max(m, (double)std::fabs(x));
    return m;
}
}  // namespace

// The official-layout tiny model (shared/data/models, bitnet.cpp's converter) against its
// independent NumPy reference logits, computed with F32 attention and KV. F32 KV: what the
// README states (~3e-5). F16 KV: the rounding of keys and values shows, and is bounded here.
TEST_CASE("F16 KV cache: logits of the bitnet.cpp tiny model against its F32-KV reference", "[forward]") {
    const std::string dir = tern_test::data_dir() + "/models/";
    const std::string path = dir + "bitnetcpp-2b4t-tiny-i2_s.gguf";
    const NpyArray ref = read_npy_f32(dir + "bitnetcpp-2b4t-tiny-i2_s.ref-logits.npy");
    std::vector<int32_t> tokens;
    {
        std::ifstream in(dir + "bitnetcpp-2b4t-tiny-i2_s.ref-tokens.txt");
        int32_t id;
        while (in >> id) tokens.push_back(id);
    }
    REQUIRE(ref.shape.size() == 2);
    REQUIRE(ref.shape[0] == tokens.size());
    auto model = Model::load(path, tern_test::threads(2));
    SessionOptions f32, f16;
    f16.kv_type = KvType::F16;
    Session s32(*model, f32), s16(*model, f16);
    const std::vector<float> l32 = s32.logits_all(tokens), l16 = s16.logits_all(tokens);
    REQUIRE(l32.size() == ref.data.size());
    const double d32 = max_abs_diff(l32, ref.data), d16 = max_abs_diff(l16, ref.data), d = max_abs_diff(l16, l32);
    const double scale = max_abs_of(ref.data);
    INFO("max |logit| " << scale << "; max |F32 KV - ref| " << d32 << ", max |F16 KV - ref| " << d16
                        << ", max |F16 KV - F32 KV| " << d);
    WARN("bitnet.cpp tiny: max |logit| " << scale << "; max |F32 KV - ref| " << d32 << ", max |F16 KV - ref| " << d16
                                         << ", max |F16 KV - F32 KV| " << d);
    const size_t V = ref.shape[1];
    int same_top = 0;
    double mean = 0;
    for (size_t t = 0; t < tokens.size(); ++t) {
        auto top = [&](const std::vector<float>& l) {
            return std::max_element(l.begin() + t * V, l.begin() + (t + 1) * V) - (l.begin() + t * V);
        };
        same_top += top(l16) == top(ref.data);
        for (size_t v = 0; v < V; ++v) mean += std::fabs(l16[t * V + v] - ref.data[t * V + v]);
    }
    mean /= (double)l16.size();
    WARN("F16 KV: same top token at " << same_top << " of " << tokens.size() << " positions; mean |F16 KV - ref| "
                                      << mean);
    CHECK(d32 < 1e-4);
    CHECK(d > 0);  // the cache did hold halves
    // Measured 2.56 of 38.3 (6.7 %), the top token unchanged at 10 of 11 positions: the int8
    // activations of this random model amplify the halves' rounding (see the tiny models
    // above, where the same engine matches an F16-KV reference to ~5e-7). A regression guard,
    // not a claim about trained models.
    CHECK(d16 < 0.15 * scale);
}

// An F16 cache at every kernel level: the same logits as the scalar level within the bound of
// the F32 cross-level test (test_linear.cpp; the score sums differ in order only), and bit for
// bit the same whatever the thread count (a level's F16 kernels are deterministic).
TEST_CASE("F16 KV cache: every kernel level and thread count", "[forward]") {
    const kernels::CpuLevel before = kernels::active_cpu_level();
    const std::string path = tern_test::tiny_model();
    auto one = Model::load(path, tern_test::threads(1));
    auto two = Model::load(path, tern_test::threads(2));
    SessionOptions so;
    so.kv_type = KvType::F16;
    Session s1(*one, so), s2(*two, so);
    kernels::set_active_cpu_level(kernels::CpuLevel::Scalar);
    const std::vector<float> scalar = s1.logits_all(kTokens);
    CHECK(scalar == s2.logits_all(kTokens));
    for (kernels::CpuLevel level : kernels::supported_cpu_levels()) {
        kernels::set_active_cpu_level(level);
        INFO("level " << kernels::cpu_level_name(level));
        const std::vector<float> got = s1.logits_all(kTokens);
        CHECK(max_abs_diff(got, scalar) < 1e-4 * max_abs_of(scalar));
        CHECK(got == s2.logits_all(kTokens));
    }
    kernels::set_active_cpu_level(before);
}

TEST_CASE("I2_S, TQ1_0 and TQ2_0 encodings of the same weights give the same logits", "[forward]") {
    std::vector<float> base;
    for (GgmlType type : {GgmlType::I2_S, GgmlType::TQ1_0, GgmlType::TQ2_0}) {
        auto model = Model::load(tern_test::tiny_model("bitnet-b1.58", type), tern_test::threads(1));
        Session session(*model);
        std::vector<float> logits = session.logits_all(kTokens);
        if (base.empty()) {
            base = logits;
            continue;
        }
        INFO(ggml_type_name(type));
        REQUIRE(logits.size() == base.size());
        double worst = 0;
        for (size_t i = 0; i < logits.size(); ++i) worst = std::max(worst, (double)std::fabs(logits[i] - base[i]));
        CHECK(worst < 1e-4);
    }
}

TEST_CASE("thread count does not change the logits", "[forward]") {
    const std::string path = tern_test::tiny_model();
    auto one = Model::load(path, tern_test::threads(1));
    auto two = Model::load(path, tern_test::threads(2));
    auto three = Model::load(path, tern_test::threads(3));  // uneven splits of rows, tokens, heads
    Session s1(*one), s2(*two), s3(*three);
    const auto want = s1.logits_all(kTokens);
    CHECK(want == s2.logits_all(kTokens));
    CHECK(want == s3.logits_all(kTokens));
}

TEST_CASE("mmapped and copied weights give the same logits", "[forward]") {
    const std::string path = tern_test::tiny_model();
    LoadOptions mapped = tern_test::threads(1);
    mapped.use_mmap = true;
    auto a = Model::load(path, tern_test::threads(1));
    auto b = Model::load(path, mapped);
    Session sa(*a), sb(*b);
    CHECK(sa.logits_all(kTokens) == sb.logits_all(kTokens));
}
