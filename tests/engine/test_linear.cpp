// Load-time weight transformations (engine/model/linear.h: ternary repacking, the 8-bit output
// matrix) and the kernel levels (kernels/dispatch.h), checked on whole forward passes.
#include "engine/model/model.h"
#include "engine/chat/session.h"
#include "kernels/dispatch.h"
#include "tests/engine/test_support.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace tern;

namespace {

const std::vector<int32_t> kTokens = {256, 72, 101, 108, 108, 111, 44, 32, 119, 111, 114, 108, 100};

std::vector<float> logits(const std::string& path, const LoadOptions& o) {
    auto model = Model::load(path, o);
    Session s(*model);
    return s.logits_all(kTokens);
}

double max_abs(const std::vector<float>& v) {
    double m = 0;
    for (float x : v) m = std::max(m, (double)std::fabs(x));
    return m;
}

double max_diff(const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE(a.size() == b.size());
    double m = 0;
    for (size_t i = 0; i < a.size(); ++i) m = std::max(m, (double)std::fabs(a[i] - b[i]));
    return m;
}

}  // namespace

TEST_CASE("repacked, file-layout and memory-mapped ternary weights give identical logits", "[model]") {
    for (GgmlType type : {GgmlType::I2_S, GgmlType::TQ2_0, GgmlType::TQ1_0}) {
        INFO(ggml_type_name(type));
        const std::string path = tern_test::tiny_model("bitnet-b1.58", type);
        LoadOptions plain = tern_test::threads(2), mapped = tern_test::threads(2);
        plain.repack = false;
        mapped.use_mmap = true;
        const std::vector<float> repacked = logits(path, tern_test::threads(2));
        CHECK(logits(path, plain) == repacked);  // exact integer dots in every layout
        CHECK(logits(path, mapped) == repacked);
    }
}

TEST_CASE("8-bit output matrix: fewer bytes per token, logits within 8-bit rounding", "[model]") {
    // A separate output.weight (llama): only the logits' matrix product changes. Tied (bitnet):
    // the embedding rows the input looks up are the 8-bit ones too, and a random network
    // amplifies that small input change through its int8 activation rounding, hence the looser
    // bound there.
    for (const char* arch : {"llama", "bitnet-b1.58"}) {
        INFO(arch);
        const std::string path = tern_test::tiny_model(arch, GgmlType::I2_S);
        LoadOptions q8 = tern_test::threads(2);
        q8.output_q8 = true;
        LoadOptions f16 = tern_test::threads(2);
        f16.output_screening = false;  // the F16 matrix read whole (screening reads ~ Q8_0's bytes)
        auto full = Model::load(path, f16);
        auto small = Model::load(path, q8);
        CHECK(small->weight_bytes_per_token() < full->weight_bytes_per_token());
        Session a(*full), b(*small);
        const std::vector<float> la = a.logits_all(kTokens), lb = b.logits_all(kTokens);
        const double diff = max_diff(la, lb), scale = max_abs(la);
        INFO("max |f16 - q8| = " << diff << ", max |logit| = " << scale);
        CHECK(diff < (std::string(arch) == "llama" ? 0.02 : 0.1) * scale);  // measured 0.7% / 3.6%
        CHECK(diff > 0);  // it did requantise
    }
}

TEST_CASE("every kernel level computes the same forward pass", "[model]") {
    const kernels::CpuLevel before = kernels::active_cpu_level();
    for (bool q8 : {false, true}) {
        LoadOptions o = tern_test::threads(2);
        o.output_q8 = q8;
        auto model = Model::load(tern_test::tiny_model(), o);
        Session s(*model);
        kernels::set_active_cpu_level(kernels::CpuLevel::Scalar);
        const std::vector<float> ref = s.logits_all(kTokens);
        for (kernels::CpuLevel level : kernels::supported_cpu_levels()) {
            kernels::set_active_cpu_level(level);
            const std::vector<float> got = s.logits_all(kTokens);
            INFO("level " << kernels::cpu_level_name(level) << (q8 ? ", 8-bit output" : ""));
            // Ternary layers are exact at every level; float sums (output matrix, attention)
            // differ in order only, which moves the logits by float rounding.
            CHECK(max_diff(got, ref) < 1e-4 * max_abs(ref));
        }
    }
    kernels::set_active_cpu_level(before);
}
