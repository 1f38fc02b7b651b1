// Float dot products and Q8_0 against double-precision references.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/float_dot.h"
#include "kernels/fp16.h"

using namespace tern::kernels;

namespace {

// Tolerance for a double-accumulated dot rounded to float: half an ulp of the result plus a
// vanishing summation term.
bool close_to(float got, double ref, double abs_sum) {
  return std::fabs(got - ref) <= std::fabs(ref) * 6.0e-8 + abs_sum * 1e-12 + 1e-30;
}

}  // namespace

TEST_CASE("dot_f32 matches a double reference for all tail lengths", "[kernels]") {
  tern_ktest::Rng rng(41);
  for (int64_t n : {0, 1, 2, 3, 4, 5, 7, 8, 1000, 2560, 6913}) {
    INFO("n = " << n);
    const auto a = tern_ktest::random_floats(rng, static_cast<size_t>(n), -10.0f, 10.0f);
    const auto b = tern_ktest::random_floats(rng, static_cast<size_t>(n), -10.0f, 10.0f);
    double ref = 0.0, abs_sum = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      ref += static_cast<double>(a[static_cast<size_t>(i)]) * b[static_cast<size_t>(i)];
      abs_sum += std::fabs(static_cast<double>(a[static_cast<size_t>(i)]) * b[static_cast<size_t>(i)]);
    }
    CHECK(close_to(dot_f32(a.data(), b.data(), n), ref, abs_sum));
  }
  // Cancellation: the double accumulator must not lose the small term.
  const float a[4] = {1e8f, 1.0f, -1e8f, 0.0f};
  const float b[4] = {1.0f, 1.0f, 1.0f, 0.0f};
  CHECK(dot_f32(a, b, 4) == 1.0f);
}

TEST_CASE("dot_f16_f32 and dot_bf16_f32 match double references", "[kernels]") {
  tern_ktest::Rng rng(42);
  for (int64_t n : {1, 5, 2560, 6913}) {
    INFO("n = " << n);
    const auto af = tern_ktest::random_floats(rng, static_cast<size_t>(n), -2.0f, 2.0f);
    const auto b = tern_ktest::random_floats(rng, static_cast<size_t>(n), -2.0f, 2.0f);
    std::vector<uint16_t> h(static_cast<size_t>(n)), bf(static_cast<size_t>(n));
    double ref_h = 0.0, ref_bf = 0.0, abs_h = 0.0, abs_bf = 0.0;
    for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
      h[i] = f32_to_fp16(af[i]);
      bf[i] = f32_to_bf16(af[i]);
      const double ph = static_cast<double>(fp16_to_f32(h[i])) * b[i];
      const double pb = static_cast<double>(bf16_to_f32(bf[i])) * b[i];
      ref_h += ph;
      ref_bf += pb;
      abs_h += std::fabs(ph);
      abs_bf += std::fabs(pb);
    }
    CHECK(close_to(dot_f16_f32(h.data(), b.data(), n), ref_h, abs_h));
    CHECK(close_to(dot_bf16_f32(bf.data(), b.data(), n), ref_bf, abs_bf));
  }
  // Subnormal fp16 weights are honoured, not flushed.
  const uint16_t sub[2] = {0x0001, 0x8003};
  const float one[2] = {1.0f, 1.0f};
  CHECK(dot_f16_f32(sub, one, 2) == -2.0f * std::ldexp(1.0f, -24));
}

TEST_CASE("q8_0 block layout follows ggml", "[kernels]") {
  std::vector<float> x(32, 0.0f);
  x[0] = 127.0f;   // d = 1
  x[1] = -127.0f;
  x[2] = 63.5f;    // round half away from zero -> 64
  x[3] = -2.5f;    // -> -3
  x[4] = 0.49f;    // -> 0
  std::vector<uint8_t> blk(34);
  q8_0_quantize(x.data(), 32, blk.data());
  CHECK(blk[0] == 0x00);  // fp16 1.0 = 0x3C00
  CHECK(blk[1] == 0x3C);
  CHECK(static_cast<int8_t>(blk[2]) == 127);
  CHECK(static_cast<int8_t>(blk[3]) == -127);
  CHECK(static_cast<int8_t>(blk[4]) == 64);
  CHECK(static_cast<int8_t>(blk[5]) == -3);
  CHECK(static_cast<int8_t>(blk[6]) == 0);
}

TEST_CASE("q8_0 round trip stays within half a step (plus fp16 rounding of d)", "[kernels]") {
  tern_ktest::Rng rng(43);
  const int64_t n = 2560;
  auto x = tern_ktest::random_floats(rng, static_cast<size_t>(n), -5.0f, 5.0f);
  for (size_t i = 0; i < 32; ++i) x[i] = 0.0f;          // an all-zero block: d = 0
  for (size_t i = 32; i < 64; ++i) x[i] *= 1e-3f;       // a small-magnitude block
  for (size_t i = 64; i < 96; ++i) x[i] = 60000.0f * (i % 2 ? 1.0f : -1.0f);  // near fp16 max
  std::vector<uint8_t> blocks(static_cast<size_t>(n / 32 * 34));
  q8_0_quantize(x.data(), n, blocks.data());
  std::vector<float> y(static_cast<size_t>(n));
  q8_0_dequant(blocks.data(), n, y.data());
  int bad = 0;
  for (int64_t b = 0; b < n / 32; ++b) {
    float amax = 0.0f;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[static_cast<size_t>(b * 32 + j)]));
    const double d = amax / 127.0;
    // |x - q·d16| <= |x - q·d| + |q|·|d - d16| <= d/2 + 127·d·2^-11
    const double bound = d * (0.5 + 127.0 / 2048.0) + 1e-30;
    for (int j = 0; j < 32; ++j) {
      const size_t i = static_cast<size_t>(b * 32 + j);
      if (std::fabs(static_cast<double>(y[i]) - x[i]) > bound) ++bad;
    }
  }
  CHECK(bad == 0);
  for (size_t i = 0; i < 32; ++i) CHECK(y[i] == 0.0f);

  CHECK_THROWS_AS(q8_0_quantize(x.data(), 33, blocks.data()), std::invalid_argument);
  CHECK_THROWS_AS(q8_0_dequant(blocks.data(), -32, y.data()), std::invalid_argument);
}

TEST_CASE("dot_q8_0_f32 equals the dot of the dequantised row", "[kernels]") {
  tern_ktest::Rng rng(44);
  for (int64_t k : {32, 64, 2560}) {
    INFO("k = " << k);
    const auto w = tern_ktest::random_floats(rng, static_cast<size_t>(k), -1.0f, 1.0f);
    const auto x = tern_ktest::random_floats(rng, static_cast<size_t>(k), -3.0f, 3.0f);
    std::vector<uint8_t> blocks(static_cast<size_t>(k / 32 * 34));
    q8_0_quantize(w.data(), k, blocks.data());
    // Reference straight from the bytes: Σ_b d_b Σ_j q_j x_j in double.
    double ref = 0.0, abs_sum = 0.0;
    for (int64_t b = 0; b < k / 32; ++b) {
      uint16_t dh;
      std::memcpy(&dh, blocks.data() + b * 34, 2);
      const double d = fp16_to_f32(dh);
      for (int j = 0; j < 32; ++j) {
        const double p = d * static_cast<int8_t>(blocks[static_cast<size_t>(b * 34 + 2 + j)]) * x[static_cast<size_t>(b * 32 + j)];
        ref += p;
        abs_sum += std::fabs(p);
      }
    }
    CHECK(close_to(dot_q8_0_f32(blocks.data(), x.data(), k), ref, abs_sum));
  }
}
