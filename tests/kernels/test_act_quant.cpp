// Per-token int8 activation quantisation: scale, half-to-even rounding, clamping, sums.
#include <catch2/catch.hpp>

#include <cfenv>
#include <cmath>
#include <limits>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/act_quant.h"

using namespace tern::kernels;

namespace {

// The contract spelled out with std::nearbyint (default rounding mode = nearest-even).
ActQuant reference(const std::vector<float>& x, std::vector<int8_t>& q) {
  float amax = 0.0f;
  for (float v : x) amax = std::max(amax, std::fabs(v));
  const float scale = 127.0f / std::max(amax, 1e-5f);
  int32_t sum = 0;
  q.resize(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const float p = x[i] * scale;
    const float r = std::nearbyint(p);
    const int v = static_cast<int>(std::min(127.0f, std::max(-128.0f, r)));
    q[i] = static_cast<int8_t>(v);
    sum += v;
  }
  return {scale, sum};
}

ActQuant run(const std::vector<float>& x, std::vector<int8_t>& q) {
  q.assign(x.size(), 99);
  return quantize_act_i8(x.data(), q.data(), static_cast<int64_t>(x.size()));
}

}  // namespace

TEST_CASE("quantize_act_i8 matches the nearbyint formulation on random data", "[kernels]") {
  REQUIRE(std::fegetround() == FE_TONEAREST);
  tern_ktest::Rng rng(31);
  for (size_t n : {1u, 2u, 7u, 128u, 2560u, 6912u}) {
    for (float range : {1e-7f, 1e-3f, 1.0f, 300.0f, 1e20f}) {
      INFO("n = " << n << ", range " << range);
      const auto x = tern_ktest::random_floats(rng, n, -range, range);
      std::vector<int8_t> q, qr;
      const ActQuant a = run(x, q);
      const ActQuant r = reference(x, qr);
      CHECK(a.scale == r.scale);
      CHECK(a.sum == r.sum);
      CHECK(q == qr);
    }
  }
}

TEST_CASE("quantize_act_i8: all zeros give q = 0 and the 1e-5 floor", "[kernels]") {
  std::vector<float> x(64, 0.0f);
  std::vector<int8_t> q;
  const ActQuant a = run(x, q);
  CHECK(a.scale == 127.0f / 1e-5f);
  CHECK(a.sum == 0);
  for (int8_t v : q) CHECK(v == 0);
  x[5] = -0.0f;  // negative zero is still zero
  run(x, q);
  CHECK(q[5] == 0);
}

TEST_CASE("quantize_act_i8 rounds halves to even", "[kernels]") {
  // max|x| = 127 makes scale exactly 1, so x·scale = x and the halves stay exact.
  std::vector<float> x = {127.0f, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 126.5f, -125.5f, 3.49f};
  std::vector<int8_t> q;
  const ActQuant a = run(x, q);
  REQUIRE(a.scale == 1.0f);
  const std::vector<int8_t> expect = {127, 0, 2, 2, 0, -2, -2, 126, -126, 3};
  CHECK(q == expect);
  CHECK(a.sum == 127 + 0 + 2 + 2 + 0 - 2 - 2 + 126 - 126 + 3);
}

TEST_CASE("quantize_act_i8 keeps the range symmetric: the extreme maps to ±127, never -128", "[kernels]") {
  // The clamp bound is -128, but with scale = 127/max|x| the product never exceeds 127 in
  // magnitude beyond float rounding, so the most negative value must land on exactly -127.
  tern_ktest::Rng rng(32);
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<float> x = tern_ktest::random_floats(rng, 16, -1.0f, 1.0f);
    const float m = rng.uniform(1e-4f, 1e4f);
    x[trial % 16] = (trial % 2) ? -m : m;
    for (float& v : x) v = std::max(-m, std::min(m, v));
    std::vector<int8_t> q;
    run(x, q);
    const int8_t e = q[static_cast<size_t>(trial % 16)];
    REQUIRE(e == ((trial % 2) ? -127 : 127));
    for (int8_t v : q) REQUIRE(v >= -127);
  }
}

TEST_CASE("quantize_act_i8 edge sizes and magnitudes", "[kernels]") {
  std::vector<int8_t> q;
  ActQuant a = run({-3.0f}, q);  // n = 1
  CHECK(q[0] == -127);
  CHECK(a.sum == -127);
  CHECK(a.scale == 127.0f / 3.0f);

  a = run({2e-6f}, q);  // below the 1e-5 floor: not stretched to 127
  CHECK(a.scale == 127.0f / 1e-5f);
  CHECK(q[0] == static_cast<int8_t>(std::nearbyint(2e-6f * (127.0f / 1e-5f))));
  CHECK(q[0] == 25);

  const float big = std::numeric_limits<float>::max();
  a = run({big, -big, 1.0f, big / 2}, q);
  CHECK(std::isfinite(a.scale));
  CHECK(a.scale > 0.0f);
  CHECK(q == std::vector<int8_t>{127, -127, 0, 64});  // 63.5 -> 64 (even)
  CHECK(a.sum == 64);

  a = run({3e38f, 1e38f}, q);
  CHECK(q == std::vector<int8_t>{127, 42});

  // n = 0 touches nothing.
  int8_t sentinel = 7;
  a = quantize_act_i8(nullptr, &sentinel, 0);
  CHECK(a.sum == 0);
  CHECK(sentinel == 7);

  // Non-finite input must not crash or leave [-128, 127] (the result is meaningless).
  a = run({std::numeric_limits<float>::infinity(), 1.0f, std::numeric_limits<float>::quiet_NaN()}, q);
  for (int8_t v : q) CHECK((v >= -128 && v <= 127));
}
