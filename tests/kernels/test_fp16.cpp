// fp16 / bf16 conversions: exhaustive over all 16-bit patterns, plus every rounding tie.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "kernels/fp16.h"
#include "kernel_test_util.h"

using namespace tern::kernels;

namespace {

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// Independent decoding of a finite fp16 pattern via ldexp, for cross-checking the table.
double fp16_value_ref(uint16_t h) {
  const int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
  const double v = e == 0 ? std::ldexp(m, -24) : std::ldexp(1024 + m, e - 25);
  return s ? -v : v;
}

}  // namespace

TEST_CASE("fp16_to_f32 decodes every pattern exactly", "[kernels]") {
  int bad = 0;
  uint32_t first_bad = 0;
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = fp16_to_f32(static_cast<uint16_t>(h));
    const int e = (h >> 10) & 31;
    bool ok;
    if (e == 31) {
      ok = (h & 1023) ? std::isnan(f) : (std::isinf(f) && std::signbit(f) == bool(h & 0x8000));
    } else {
      ok = static_cast<double>(f) == fp16_value_ref(static_cast<uint16_t>(h)) &&
           std::signbit(f) == bool(h & 0x8000);
    }
    if (!ok && bad++ == 0) first_bad = h;
  }
  INFO("first bad pattern 0x" << std::hex << first_bad);
  REQUIRE(bad == 0);

  CHECK(fp16_to_f32(0x3C00) == 1.0f);
  CHECK(fp16_to_f32(0xC000) == -2.0f);
  CHECK(fp16_to_f32(0x7BFF) == 65504.0f);
  CHECK(fp16_to_f32(0x0001) == std::ldexp(1.0f, -24));   // smallest subnormal
  CHECK(fp16_to_f32(0x03FF) == std::ldexp(1023.0f, -24)); // largest subnormal
  CHECK(fp16_to_f32(0x0400) == std::ldexp(1.0f, -14));    // smallest normal
  CHECK(std::signbit(fp16_to_f32(0x8000)));
  CHECK(fp16_to_f32(0x7C00) == std::numeric_limits<float>::infinity());
  CHECK(fp16_to_f32(0xFC00) == -std::numeric_limits<float>::infinity());
}

TEST_CASE("fp16 round trip is the identity on all 65536 patterns, NaNs included", "[kernels]") {
  int bad = 0;
  uint32_t first_bad = 0;
  for (uint32_t h = 0; h < 65536; ++h) {
    if (f32_to_fp16(fp16_to_f32(static_cast<uint16_t>(h))) != h && bad++ == 0) first_bad = h;
  }
  INFO("first bad pattern 0x" << std::hex << first_bad);
  REQUIRE(bad == 0);
}

TEST_CASE("f32_to_fp16 rounds ties to even at every midpoint", "[kernels]") {
  // Between every pair of adjacent finite fp16 values (subnormals included, starting at 0) the
  // exact midpoint must go to the even pattern and its float neighbours to the nearer side.
  int bad = 0;
  uint32_t first_bad = 0;
  for (uint32_t h = 0; h < 0x7BFF; ++h) {
    for (uint16_t sign : {uint16_t(0), uint16_t(0x8000)}) {
      const float lo = fp16_to_f32(static_cast<uint16_t>(h | sign));
      const float hi = fp16_to_f32(static_cast<uint16_t>((h + 1) | sign));
      const float mid = (lo + hi) / 2;  // exact: needs only one more mantissa bit
      const float toward_lo = std::nextafter(mid, lo);
      const float toward_hi = std::nextafter(mid, hi);
      const uint16_t even = static_cast<uint16_t>(((h & 1) ? h + 1 : h) | sign);
      const bool ok = f32_to_fp16(mid) == even && f32_to_fp16(toward_lo) == (h | sign) &&
                      f32_to_fp16(toward_hi) == ((h + 1) | sign);
      if (!ok && bad++ == 0) first_bad = h | sign;
    }
  }
  INFO("first bad lower pattern 0x" << std::hex << first_bad);
  REQUIRE(bad == 0);
}

TEST_CASE("f32_to_fp16 edge cases: overflow, underflow, inf, nan, signed zero", "[kernels]") {
  const float inf = std::numeric_limits<float>::infinity();
  CHECK(f32_to_fp16(65504.0f) == 0x7BFF);
  CHECK(f32_to_fp16(std::nextafter(65520.0f, 0.0f)) == 0x7BFF);
  CHECK(f32_to_fp16(65520.0f) == 0x7C00);  // tie with odd 65504 -> up to inf
  CHECK(f32_to_fp16(-65520.0f) == 0xFC00);
  CHECK(f32_to_fp16(1e10f) == 0x7C00);
  CHECK(f32_to_fp16(std::numeric_limits<float>::max()) == 0x7C00);
  CHECK(f32_to_fp16(inf) == 0x7C00);
  CHECK(f32_to_fp16(-inf) == 0xFC00);
  CHECK(f32_to_fp16(0.0f) == 0x0000);
  CHECK(f32_to_fp16(-0.0f) == 0x8000);
  CHECK(f32_to_fp16(std::ldexp(1.0f, -25)) == 0x0000);              // tie -> even zero
  CHECK(f32_to_fp16(std::nextafter(std::ldexp(1.0f, -25), 1.0f)) == 0x0001);
  CHECK(f32_to_fp16(-std::ldexp(1.0f, -26)) == 0x8000);             // underflow keeps the sign
  CHECK(f32_to_fp16(std::numeric_limits<float>::denorm_min()) == 0x0000);
  CHECK(f32_to_fp16(std::ldexp(1023.5f, -24)) == 0x0400);           // rounds up into normals
  CHECK(f32_to_fp16(1.0f) == 0x3C00);
  CHECK(f32_to_fp16(1.0f + std::ldexp(1.0f, -11)) == 0x3C00);       // tie -> even
  CHECK(f32_to_fp16(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3C02);   // tie -> even (up)

  const uint16_t qnan = f32_to_fp16(std::numeric_limits<float>::quiet_NaN());
  CHECK((qnan & 0x7C00) == 0x7C00);
  CHECK((qnan & 0x3FF) != 0);
  // Payload only in bits that fp16 drops: must stay NaN, not become inf.
  const uint16_t low_payload = f32_to_fp16(from_bits(0x7F800001u));
  CHECK((low_payload & 0x7FFF) > 0x7C00);
  const uint16_t neg_nan = f32_to_fp16(from_bits(0xFFC00000u));
  CHECK((neg_nan & 0x8000) != 0);
  CHECK((neg_nan & 0x7FFF) > 0x7C00);
}

TEST_CASE("f32_to_fp16 picks the nearest value for random floats", "[kernels]") {
  tern_ktest::Rng rng(7);
  int bad = 0;
  uint32_t first_bad = 0;
  for (int i = 0; i < 200000; ++i) {
    // Random bit patterns restricted to the finite fp16 range (|x| < 65504).
    const uint32_t u = static_cast<uint32_t>(rng.next()) & 0xC7FFFFFFu;
    const float x = from_bits(u);
    if (!std::isfinite(x) || std::fabs(x) >= 65504.0f) continue;
    const uint16_t h = f32_to_fp16(x);
    const double err = std::fabs(static_cast<double>(fp16_to_f32(h)) - x);
    // Neighbours one step up/down in magnitude must not be strictly closer.
    const uint16_t mag = h & 0x7FFF;
    bool ok = true;
    if (mag < 0x7BFF) ok &= err <= std::fabs(static_cast<double>(fp16_to_f32(static_cast<uint16_t>(h + 1))) - x);
    if (mag > 0) ok &= err <= std::fabs(static_cast<double>(fp16_to_f32(static_cast<uint16_t>(h - 1))) - x);
    if (!ok && bad++ == 0) first_bad = u;
  }
  INFO("first bad float bits 0x" << std::hex << first_bad);
  REQUIRE(bad == 0);
}

TEST_CASE("fp16_to_f32_row matches the scalar conversion", "[kernels]") {
  std::vector<uint16_t> h(65536);
  for (uint32_t i = 0; i < 65536; ++i) h[i] = static_cast<uint16_t>(i);
  std::vector<float> y(h.size());
  fp16_to_f32_row(h.data(), y.data(), static_cast<int64_t>(h.size()));
  int bad = 0;
  for (uint32_t i = 0; i < 65536; ++i)
    if (bits(y[i]) != bits(fp16_to_f32(h[i]))) ++bad;
  REQUIRE(bad == 0);
  fp16_to_f32_row(h.data(), y.data(), 0);  // n == 0 is a no-op
}

TEST_CASE("bf16 conversions: exhaustive round trip and every tie", "[kernels]") {
  int bad_rt = 0, bad_tie = 0;
  uint32_t first_rt = 0, first_tie = 0;
  for (uint32_t b = 0; b < 65536; ++b) {
    const float f = bf16_to_f32(static_cast<uint16_t>(b));
    const bool rt_ok = bits(f) == (b << 16) && f32_to_bf16(f) == b;
    if (!rt_ok && bad_rt++ == 0) first_rt = b;
    // Ties and near-ties above every finite pattern (the 0x7F7F/0xFF7F tie rounds to inf).
    if (((b >> 7) & 0xFF) == 0xFF) continue;
    const uint32_t base = b << 16;
    const uint16_t even = static_cast<uint16_t>((b & 1) ? b + 1 : b);
    const bool ok = f32_to_bf16(from_bits(base | 0x8000u)) == even &&
                    f32_to_bf16(from_bits(base | 0x7FFFu)) == b &&
                    f32_to_bf16(from_bits(base | 0x8001u)) == b + 1;
    if (!ok && bad_tie++ == 0) first_tie = b;
  }
  INFO("first bad round trip 0x" << std::hex << first_rt << ", first bad tie 0x" << first_tie);
  REQUIRE(bad_rt == 0);
  REQUIRE(bad_tie == 0);

  CHECK(f32_to_bf16(1.0f) == 0x3F80);
  CHECK(f32_to_bf16(-0.0f) == 0x8000);
  CHECK(f32_to_bf16(std::numeric_limits<float>::infinity()) == 0x7F80);
  CHECK(f32_to_bf16(std::numeric_limits<float>::max()) == 0x7F80);  // rounds up past max bf16
  const uint16_t low_payload = f32_to_bf16(from_bits(0x7F800001u));  // NaN must stay NaN
  CHECK((low_payload & 0x7F80) == 0x7F80);
  CHECK((low_payload & 0x7F) != 0);
  CHECK(std::isnan(bf16_to_f32(f32_to_bf16(std::numeric_limits<float>::quiet_NaN()))));
}
