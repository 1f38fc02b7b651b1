// CPU level names, detection and the dispatch tables.
#include <catch2/catch.hpp>

#include <cstdio>

#include "kernel_test_util.h"
#include "kernels/cpu.h"
#include "kernels/dispatch.h"

using namespace tern::kernels;

TEST_CASE("cpu level names round-trip", "[kernels]") {
  for (int i = 0; i <= static_cast<int>(CpuLevel::NeonDot); ++i) {
    const CpuLevel l = static_cast<CpuLevel>(i);
    REQUIRE(cpu_level_from_name(cpu_level_name(l)) == l);
  }
  CHECK_FALSE(cpu_level_from_name("avx3").has_value());
  CHECK_FALSE(cpu_level_from_name("").has_value());
}

TEST_CASE("supported levels: scalar first, every table complete, lowering works", "[kernels]") {
  const auto levels = supported_cpu_levels();
  REQUIRE(!levels.empty());
  CHECK(levels.front() == CpuLevel::Scalar);
  CHECK(best_cpu_level() == levels.back());
  std::string names;
  for (CpuLevel l : levels) {
    names += std::string(" ") + cpu_level_name(l);
    const KernelTable& t = kernel_table(l);
    CHECK(t.level == l);
    CHECK(t.quantize_act_i8 != nullptr);
    CHECK(t.ternary_gemm != nullptr);
    CHECK(t.f16_gemm != nullptr);
    CHECK(t.f32_gemm != nullptr);
    CHECK(t.q8_0_gemm != nullptr);
    CHECK(t.attn_scores != nullptr);
    CHECK(t.softmax != nullptr);
    CHECK(t.attn_values != nullptr);
    CHECK(t.attn_scores_group != nullptr);
    CHECK(t.attn_values_group != nullptr);
    CHECK(t.attn_scores_group_f16 != nullptr);
    CHECK(t.attn_values_group_f16 != nullptr);
    CHECK(t.xor_words != nullptr);
    CHECK(t.q8_0_quantize != nullptr);
    CHECK(t.fp16_to_f32_row != nullptr);
    CHECK(cpu_level_at_most(l) == l);
  }
  // Shown in the test log so a run on a machine without AVX-512 says what it did not cover.
  std::printf("kernel levels tested on this CPU (%s):%s\n", std::string(cpu_feature_summary()).c_str(), names.c_str());
  CHECK(cpu_level_at_most(CpuLevel::Scalar) == CpuLevel::Scalar);
  // A level of the other architecture family lowers to scalar, never to an unrelated level.
#if defined(__x86_64__) || defined(_M_X64)
  CHECK(cpu_level_at_most(CpuLevel::NeonDot) == CpuLevel::Scalar);
  CHECK(cpu_level_supported(cpu_level_at_most(CpuLevel::Avx512Vnni)));
#endif
  CHECK_THROWS_AS(kernel_table(static_cast<CpuLevel>(99)), std::invalid_argument);
}

TEST_CASE("set_active_cpu_level switches the table in use", "[kernels]") {
  const CpuLevel before = active_cpu_level();
  CHECK(set_active_cpu_level(CpuLevel::Scalar) == CpuLevel::Scalar);
  CHECK(active_kernels().level == CpuLevel::Scalar);
  CHECK(set_active_cpu_level(best_cpu_level()) == best_cpu_level());
  set_active_cpu_level(before);
  CHECK(active_cpu_level() == before);
}
