#include "kernels/float_dot.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "kernels/fp16.h"

namespace tern::kernels {
namespace {

// Four-lane double accumulation shared by the three element types; `load_a` widens one element
// of `a` to float (the identity, an fp16 table lookup, or a bf16 shift).
template <typename T, typename Load>
float dot4(const T* a, const float* b, int64_t n, Load load_a) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += static_cast<double>(load_a(a[i + 0])) * b[i + 0];
    s1 += static_cast<double>(load_a(a[i + 1])) * b[i + 1];
    s2 += static_cast<double>(load_a(a[i + 2])) * b[i + 2];
    s3 += static_cast<double>(load_a(a[i + 3])) * b[i + 3];
  }
  for (; i < n; ++i) s0 += static_cast<double>(load_a(a[i])) * b[i];
  return static_cast<float>((s0 + s1) + (s2 + s3));
}

float bf16_widen(uint16_t v) {
  const uint32_t u = static_cast<uint32_t>(v) << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

uint16_t load_u16(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return h;
}

void check_q8_n(const char* fn, int64_t n) {
  if (n < 0 || n % kQ8_0Block != 0)
    throw std::invalid_argument(std::string(fn) + ": n = " + std::to_string(n) +
                                " is not a non-negative multiple of 32");
}

}  // namespace

float dot_f32(const float* a, const float* b, int64_t n) {
  return dot4(a, b, n, [](float v) { return v; });
}

float dot_f16_f32(const uint16_t* a, const float* b, int64_t n) {
  const float* table = detail::fp16_table();  // fetched once, not per element
  return dot4(a, b, n, [table](uint16_t v) { return table[v]; });
}

float dot_bf16_f32(const uint16_t* a, const float* b, int64_t n) {
  return dot4(a, b, n, bf16_widen);
}

float dot_q8_0_f32(const uint8_t* row_blocks, const float* x, int64_t k) {
  assert(k >= 0 && k % kQ8_0Block == 0);
  const float* table = detail::fp16_table();
  double acc = 0.0;
  for (int64_t b = 0; b < k / kQ8_0Block; ++b) {
    const uint8_t* blk = row_blocks + b * kQ8_0BlockBytes;
    const int8_t* qs = reinterpret_cast<const int8_t*>(blk + 2);
    const float* xb = x + b * kQ8_0Block;
    double s0 = 0.0, s1 = 0.0;
    for (int j = 0; j < kQ8_0Block; j += 2) {
      s0 += static_cast<double>(qs[j]) * xb[j];
      s1 += static_cast<double>(qs[j + 1]) * xb[j + 1];
    }
    acc += static_cast<double>(table[load_u16(blk)]) * (s0 + s1);
  }
  return static_cast<float>(acc);
}

void q8_0_quantize(const float* x, int64_t n, uint8_t* dst) {
  check_q8_n("q8_0_quantize", n);
  for (int64_t b = 0; b < n / kQ8_0Block; ++b) {
    const float* xb = x + b * kQ8_0Block;
    uint8_t* blk = dst + b * kQ8_0BlockBytes;
    float amax = 0.0f;
    for (int j = 0; j < kQ8_0Block; ++j) amax = std::max(amax, std::fabs(xb[j]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    const uint16_t dh = f32_to_fp16(d);
    std::memcpy(blk, &dh, 2);
    for (int j = 0; j < kQ8_0Block; ++j) {
      // |x·id| <= 127 up to rounding; the clamp (and NaN -> 0) keeps the int8 conversion defined
      // for any input.
      const float r = std::round(xb[j] * id);
      const float c = std::isnan(r) ? 0.0f : std::clamp(r, -127.0f, 127.0f);
      blk[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(c));
    }
  }
}

void q8_0_dequant(const uint8_t* src, int64_t n, float* y) {
  check_q8_n("q8_0_dequant", n);
  for (int64_t b = 0; b < n / kQ8_0Block; ++b) {
    const uint8_t* blk = src + b * kQ8_0BlockBytes;
    const float d = fp16_to_f32(load_u16(blk));
    for (int j = 0; j < kQ8_0Block; ++j) y[b * kQ8_0Block + j] = d * static_cast<int8_t>(blk[2 + j]);
  }
}

}  // namespace tern::kernels
