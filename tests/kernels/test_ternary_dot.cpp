// Ternary x int8 dot products against a naive reference built from the unpacked values, and the
// three encodings of the same weights agreeing with each other.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/act_quant.h"
#include "kernels/fp16.h"
#include "kernels/ternary_dot.h"
#include "kernels/ternary_formats.h"

using namespace tern::kernels;

namespace {

int64_t naive_dot(const int8_t* w, const int8_t* q, int64_t k) {
  int64_t s = 0;
  for (int64_t i = 0; i < k; ++i) s += static_cast<int64_t>(w[i]) * q[i];
  return s;
}

// Σ_b d_b · Σ w·q in double, from unpacked weights and per-block scales.
double naive_block_dot(const int8_t* w, const float* d, const int8_t* q, int64_t k) {
  double acc = 0.0;
  for (int64_t b = 0; b < k / 256; ++b) acc += static_cast<double>(d[b]) * naive_dot(w + b * 256, q + b * 256, 256);
  return acc;
}

}  // namespace

TEST_CASE("i2s_dot_i8 matches the naive sum over unpacked rows", "[kernels]") {
  tern_ktest::Rng rng(21);
  const int64_t rows = 3;
  for (int64_t k : {128, 256, 2560, 6912}) {
    INFO("k = " << k);
    const auto w = tern_ktest::random_ternary(rng, static_cast<size_t>(rows * k));
    const auto q = tern_ktest::random_i8(rng, static_cast<size_t>(k));
    std::vector<uint8_t> packed(i2s_nbytes(rows * k));
    i2s_pack(w.data(), rows * k, 1.0f, packed.data());
    std::vector<int8_t> unpacked(w.size());
    i2s_unpack(packed.data(), rows * k, unpacked.data());
    for (int64_t r = 0; r < rows; ++r) {
      // Row r starts at byte r·k/4 of the packed tensor.
      CHECK(i2s_dot_i8(packed.data() + r * k / 4, q.data(), k) == naive_dot(unpacked.data() + r * k, q.data(), k));
    }
  }
}

TEST_CASE("i2s_dot_i8 extremes and invalid codes", "[kernels]") {
  const int64_t k = 6912;
  std::vector<int8_t> ones(k, 1), minus(k, -1);
  std::vector<int8_t> qmin(k, -128), qmax(k, 127);
  std::vector<uint8_t> p(i2s_nbytes(k));
  i2s_pack(ones.data(), k, 1.0f, p.data());
  CHECK(i2s_dot_i8(p.data(), qmin.data(), k) == -128 * k);
  CHECK(i2s_dot_i8(p.data(), qmax.data(), k) == 127 * k);
  i2s_pack(minus.data(), k, 1.0f, p.data());
  CHECK(i2s_dot_i8(p.data(), qmin.data(), k) == 128 * k);
  std::vector<uint8_t> bad(i2s_nbytes(128), 0xFF);  // code 3 everywhere counts as 0
  CHECK(i2s_dot_i8(bad.data(), qmax.data(), 128) == 0);
  CHECK(i2s_dot_i8(p.data(), qmax.data(), 0) == 0);
}

TEST_CASE("tq2_0_dot_i8 and tq1_0_dot_i8 match the naive block sum", "[kernels]") {
  tern_ktest::Rng rng(22);
  for (int64_t k : {256, 2560, 6912}) {
    INFO("k = " << k);
    // Quantise random floats so every block gets its own d.
    const auto x = tern_ktest::random_floats(rng, static_cast<size_t>(k), -3.0f, 3.0f);
    const auto q = tern_ktest::random_i8(rng, static_cast<size_t>(k));
    const int64_t nb = k / 256;
    std::vector<uint8_t> b2(static_cast<size_t>(nb * 66)), b1(static_cast<size_t>(nb * 54));
    tq2_0_quantize(x.data(), k, b2.data());
    tq1_0_quantize(x.data(), k, b1.data());
    std::vector<int8_t> w2(static_cast<size_t>(k)), w1(static_cast<size_t>(k));
    std::vector<float> d2(static_cast<size_t>(nb)), d1(static_cast<size_t>(nb));
    tq2_0_unpack(b2.data(), k, w2.data(), d2.data());
    tq1_0_unpack(b1.data(), k, w1.data(), d1.data());
    CHECK(tq2_0_dot_i8(b2.data(), q.data(), k) == static_cast<float>(naive_block_dot(w2.data(), d2.data(), q.data(), k)));
    CHECK(tq1_0_dot_i8(b1.data(), q.data(), k) == static_cast<float>(naive_block_dot(w1.data(), d1.data(), q.data(), k)));
  }
}

TEST_CASE("tq dots on edge weight patterns and invalid TQ2_0 codes", "[kernels]") {
  const int64_t k = 512;
  std::vector<int8_t> q(k);
  for (int64_t i = 0; i < k; ++i) q[static_cast<size_t>(i)] = static_cast<int8_t>(i % 256 - 128);
  for (int8_t v : {int8_t(-1), int8_t(0), int8_t(1)}) {
    std::vector<int8_t> w(k, v);
    std::vector<uint8_t> b2(2 * 66), b1(2 * 54);
    tq2_0_pack(w.data(), k, 0.5f, b2.data());
    tq1_0_pack(w.data(), k, 0.5f, b1.data());
    const float expect = static_cast<float>(0.5 * naive_dot(w.data(), q.data(), k));
    CHECK(tq2_0_dot_i8(b2.data(), q.data(), k) == expect);
    CHECK(tq1_0_dot_i8(b1.data(), q.data(), k) == expect);
  }
  std::vector<uint8_t> bad(66, 0xFF);
  bad[64] = 0x00;
  bad[65] = 0x3C;  // d = 1
  CHECK(tq2_0_dot_i8(bad.data(), q.data(), 256) == 0.0f);
}

TEST_CASE("I2_S, TQ2_0 and TQ1_0 encodings of the same weights give the same result", "[kernels]") {
  tern_ktest::Rng rng(23);
  // A tensor scale that is exactly representable in fp16, so TQ's per-block d equals it.
  const float scale = 0.0234375f;  // 3/128
  REQUIRE(fp16_to_f32(f32_to_fp16(scale)) == scale);
  const int64_t rows = 4, k = 2560;
  const auto w = tern_ktest::random_ternary(rng, static_cast<size_t>(rows * k));
  std::vector<uint8_t> pi2s(i2s_nbytes(rows * k));
  std::vector<uint8_t> ptq2(static_cast<size_t>(rows * k / 256 * 66));
  std::vector<uint8_t> ptq1(static_cast<size_t>(rows * k / 256 * 54));
  i2s_pack(w.data(), rows * k, scale, pi2s.data());
  tq2_0_pack(w.data(), rows * k, scale, ptq2.data());
  tq1_0_pack(w.data(), rows * k, scale, ptq1.data());
  std::vector<int8_t> tmp(w.size());
  const float s_read = i2s_unpack(pi2s.data(), rows * k, tmp.data());

  for (int trial = 0; trial < 3; ++trial) {
    const auto x = tern_ktest::random_floats(rng, static_cast<size_t>(k), -4.0f, 4.0f);
    std::vector<int8_t> q(static_cast<size_t>(k));
    const ActQuant aq = quantize_act_i8(x.data(), q.data(), k);
    for (int64_t r = 0; r < rows; ++r) {
      const float y_i2s = static_cast<float>(i2s_dot_i8(pi2s.data() + r * k / 4, q.data(), k)) * s_read / aq.scale;
      const float y_tq2 = tq2_0_dot_i8(ptq2.data() + r * (k / 256) * 66, q.data(), k) / aq.scale;
      const float y_tq1 = tq1_0_dot_i8(ptq1.data() + r * (k / 256) * 54, q.data(), k) / aq.scale;
      CHECK(y_i2s == y_tq2);
      CHECK(y_i2s == y_tq1);
      // And the int8 path approximates the float product within the activation rounding error:
      // |Σ w·(x - q/scale)| <= Σ|w| · 0.5/scale.
      double ref = 0.0, bound = 0.0;
      for (int64_t i = 0; i < k; ++i) {
        const int8_t wi = w[static_cast<size_t>(r * k + i)];
        ref += static_cast<double>(wi) * x[static_cast<size_t>(i)] * scale;
        bound += std::abs(wi) * 0.5 / aq.scale * scale;
      }
      CHECK(std::fabs(y_i2s - ref) <= bound * 1.001 + 1e-6);
    }
  }
}
