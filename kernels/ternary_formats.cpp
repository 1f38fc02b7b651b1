#include "kernels/ternary_formats.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "kernels/fp16.h"
#include "kernels/ternary_codes.h"

namespace tern::kernels {
namespace {

using detail::kI2sBlock;
using detail::kI2sBlockBytes;
using detail::kI2sTailBytes;
using detail::kTq1BlockBytes;
using detail::kTq1QhBytes;
using detail::kTq1QsBytes;
using detail::kTq2BlockBytes;
using detail::kTqBlock;

void check_n(const char* fn, int64_t n, int64_t multiple) {
  if (n < 0 || n % multiple != 0)
    throw std::invalid_argument(std::string(fn) + ": n = " + std::to_string(n) +
                                " is not a non-negative multiple of " + std::to_string(multiple));
}

// Ternary value -> code (t + 1), rejecting anything that is not -1, 0 or +1.
uint8_t code_of(const char* fn, const int8_t* t, int64_t i) {
  const int v = t[i];
  if (v < -1 || v > 1)
    throw std::invalid_argument(std::string(fn) + ": value " + std::to_string(v) + " at index " +
                                std::to_string(i) + " is not ternary");
  return static_cast<uint8_t>(v + 1);
}

void store_fp16(uint8_t* dst, uint16_t h) { std::memcpy(dst, &h, 2); }
uint16_t load_fp16(const uint8_t* src) {
  uint16_t h;
  std::memcpy(&h, src, 2);
  return h;
}

// ggml's block quantiser front end shared by TQ1_0 and TQ2_0: d = absmax, t = round(x / d) with
// lroundf semantics (half away from zero). Returns d; t gets 256 values.
float ternarize_block(const float* x, int8_t* t) {
  float amax = 0.0f;
  for (int64_t j = 0; j < kTqBlock; ++j) amax = std::max(amax, std::fabs(x[j]));
  const float id = amax != 0.0f ? 1.0f / amax : 0.0f;
  for (int64_t j = 0; j < kTqBlock; ++j) {
    // |x * id| <= 1 up to rounding; the clamp only guards against NaN / rounding surprises.
    const long r = std::lround(x[j] * id);
    t[j] = static_cast<int8_t>(std::clamp(r, -1L, 1L));
  }
  return amax;
}

// ---- TQ2_0 block ----
void tq2_pack_block(const char* fn, const int8_t* t, int64_t base, uint16_t d, uint8_t* dst) {
  for (int64_t half = 0; half < 2; ++half) {
    const int64_t v0 = base + half * 128;
    for (int64_t m = 0; m < 32; ++m) {
      uint8_t b = 0;
      for (int l = 0; l < 4; ++l) b |= static_cast<uint8_t>(code_of(fn, t, v0 + m + 32 * l) << (2 * l));
      dst[half * 32 + m] = b;
    }
  }
  store_fp16(dst + 64, d);
}

// ---- TQ1_0 block ----
// Base-3 number of `count` codes (first most significant), optionally times 3, then mapped onto
// a byte by ceil(v * 256 / 243) so that the decoder's multiply-by-3^n trick can read it back.
uint8_t tq1_byte(const char* fn, const int8_t* t, int64_t first, int64_t stride, int count) {
  uint32_t v = 0;
  for (int n = 0; n < count; ++n) v = v * 3 + code_of(fn, t, first + n * stride);
  if (count == 4) v *= 3;
  return static_cast<uint8_t>((v * 256 + 242) / 243);
}

void tq1_pack_block(const char* fn, const int8_t* t, int64_t base, uint16_t d, uint8_t* dst) {
  for (int64_t m = 0; m < 32; ++m) dst[m] = tq1_byte(fn, t, base + m, 32, 5);              // 0..159
  for (int64_t m = 0; m < 16; ++m) dst[32 + m] = tq1_byte(fn, t, base + 160 + m, 16, 5);   // 160..239
  for (int64_t j = 0; j < 4; ++j) dst[kTq1QsBytes + j] = tq1_byte(fn, t, base + 240 + j, 4, 4);
  store_fp16(dst + kTq1QsBytes + kTq1QhBytes, d);
}

}  // namespace

// ================================ I2_S ================================

uint64_t i2s_nbytes(int64_t n) { return static_cast<uint64_t>(n) / 4 + kI2sTailBytes; }

void i2s_pack(const int8_t* t, int64_t n, float scale, uint8_t* dst) {
  check_n("i2s_pack", n, kI2sBlock);
  for (int64_t b = 0; b < n / kI2sBlock; ++b) {
    const int64_t v0 = b * kI2sBlock;
    uint8_t* out = dst + b * kI2sBlockBytes;
    for (int64_t j = 0; j < 32; ++j) {
      out[j] = static_cast<uint8_t>((code_of("i2s_pack", t, v0 + j) << 6) |
                                    (code_of("i2s_pack", t, v0 + j + 32) << 4) |
                                    (code_of("i2s_pack", t, v0 + j + 64) << 2) |
                                    code_of("i2s_pack", t, v0 + j + 96));
    }
  }
  uint8_t* tail = dst + n / 4;
  std::memset(tail, 0, kI2sTailBytes);  // deterministic files: no uninitialised padding
  std::memcpy(tail, &scale, sizeof scale);
}

float i2s_unpack(const uint8_t* src, int64_t n, int8_t* t) {
  check_n("i2s_unpack", n, kI2sBlock);
  for (int64_t b = 0; b < n / kI2sBlock; ++b)
    detail::decode_i2s_block(src + b * kI2sBlockBytes, t + b * kI2sBlock);
  float scale;
  std::memcpy(&scale, src + n / 4, sizeof scale);
  return scale;
}

// ================================ TQ2_0 ================================

void tq2_0_pack(const int8_t* t, int64_t n, float d, uint8_t* dst) {
  check_n("tq2_0_pack", n, kTqBlock);
  const uint16_t dh = f32_to_fp16(d);
  for (int64_t b = 0; b < n / kTqBlock; ++b)
    tq2_pack_block("tq2_0_pack", t, b * kTqBlock, dh, dst + b * kTq2BlockBytes);
}

void tq2_0_quantize(const float* x, int64_t n, uint8_t* dst) {
  check_n("tq2_0_quantize", n, kTqBlock);
  int8_t t[kTqBlock];
  for (int64_t b = 0; b < n / kTqBlock; ++b) {
    const float d = ternarize_block(x + b * kTqBlock, t);
    tq2_pack_block("tq2_0_quantize", t, 0, f32_to_fp16(d), dst + b * kTq2BlockBytes);
  }
}

void tq2_0_unpack(const uint8_t* src, int64_t n, int8_t* t, float* d_per_block) {
  check_n("tq2_0_unpack", n, kTqBlock);
  for (int64_t b = 0; b < n / kTqBlock; ++b) {
    const uint8_t* in = src + b * kTq2BlockBytes;
    detail::decode_tq2_block(in, t + b * kTqBlock);
    if (d_per_block) d_per_block[b] = fp16_to_f32(load_fp16(in + 64));
  }
}

// ================================ TQ1_0 ================================

void tq1_0_pack(const int8_t* t, int64_t n, float d, uint8_t* dst) {
  check_n("tq1_0_pack", n, kTqBlock);
  const uint16_t dh = f32_to_fp16(d);
  for (int64_t b = 0; b < n / kTqBlock; ++b)
    tq1_pack_block("tq1_0_pack", t, b * kTqBlock, dh, dst + b * kTq1BlockBytes);
}

void tq1_0_quantize(const float* x, int64_t n, uint8_t* dst) {
  check_n("tq1_0_quantize", n, kTqBlock);
  int8_t t[kTqBlock];
  for (int64_t b = 0; b < n / kTqBlock; ++b) {
    const float d = ternarize_block(x + b * kTqBlock, t);
    tq1_pack_block("tq1_0_quantize", t, 0, f32_to_fp16(d), dst + b * kTq1BlockBytes);
  }
}

void tq1_0_unpack(const uint8_t* src, int64_t n, int8_t* t, float* d_per_block) {
  check_n("tq1_0_unpack", n, kTqBlock);
  for (int64_t b = 0; b < n / kTqBlock; ++b) {
    const uint8_t* in = src + b * kTq1BlockBytes;
    detail::decode_tq1_block(in, t + b * kTqBlock);
    if (d_per_block) d_per_block[b] = fp16_to_f32(load_fp16(in + kTq1QsBytes + kTq1QhBytes));
  }
}

}  // namespace tern::kernels
