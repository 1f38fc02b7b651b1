// Internal: the code -> value mappings and block decoders shared by the ternary unpack routines
// and the dot kernels, so the two can never disagree about how a byte decodes. Not part of the
// public API.
#pragma once

#include <cstdint>

namespace tern::kernels::detail {

// 2-bit codes of I2_S and TQ2_0: code = w + 1. Code 3 never comes out of a packer; we decode it
// as 0 so a corrupt file can only lose weights, never invent +2 ones. (ggml's own TQ2_0 decoders
// and the bitnet.cpp I2_S kernel compute code - 1 and would give +2; a SIMD kernel that matches
// this reference must mask code 3 or rely on the loader having validated the data.)
// Arithmetic rather than a 4-entry table: GCC vectorises the decode loops either way, but a table
// turns into per-lane scalar loads (measured many times slower) while this stays in shifts and
// masks.
constexpr int8_t code2_value(unsigned c) {
  c &= 3u;
  return static_cast<int8_t>(static_cast<int>(c) - 1 - static_cast<int>((c >> 1) & c & 1u) * 2);
}
static_assert(code2_value(0) == -1 && code2_value(1) == 0 && code2_value(2) == 1 && code2_value(3) == 0);

// TQ1_0 stores up to 5 trits per byte as ceil(v * 256 / 243), v the base-3 number with the first
// trit most significant. Trit n is recovered by multiplying the byte by 3^n (mod 256, which drops
// the n leading trits) and taking the top "digit": (q * 3) >> 8. Bytes holding 4 trits (qh,
// pre-multiplied by 3 when packing) decode the same way. Any byte yields trits in 0..2, so
// corrupt data cannot produce out-of-range values. Plain arithmetic (not a table) so the decode
// loops vectorise, as for code2_value.
// pow3 = 3^n for trit n (0..4).
constexpr int8_t tq1_value(uint8_t byte, uint8_t pow3) {
  const unsigned q = static_cast<uint8_t>(byte * pow3);  // uint8 wrap-around drops leading trits
  return static_cast<int8_t>(static_cast<int>((q * 3u) >> 8) - 1);
}

// Block geometry (ggml: QK_K = 256).
constexpr int64_t kI2sBlock = 128;      // values per I2_S block
constexpr int64_t kI2sBlockBytes = 32;  // bytes per I2_S block
constexpr int64_t kI2sTailBytes = 32;   // float scale + padding after the packed data
constexpr int64_t kTqBlock = 256;
constexpr int64_t kTq2BlockBytes = 66;  // qs[64], fp16 d
constexpr int64_t kTq1BlockBytes = 54;  // qs[48], qh[4], fp16 d
constexpr int64_t kTq1QsBytes = 48;
constexpr int64_t kTq1QhBytes = 4;

// ---- Block decoders (bytes -> int8 values in {-1, 0, +1}) ----
// The dot kernels decode one block into a small stack buffer and then run a plain int8 dot over
// it: both loops auto-vectorise (GCC -O3, baseline SSE2), which measured several times faster
// than multiplying straight out of the packed bits.

// One I2_S block: 32 bytes -> 128 values (MSB-first: byte j holds j, j+32, j+64, j+96).
inline void decode_i2s_block(const uint8_t* src, int8_t* w) {
  for (int j = 0; j < 32; ++j) {
    const uint8_t b = src[j];
    w[j] = code2_value(b >> 6);
    w[j + 32] = code2_value(b >> 4);
    w[j + 64] = code2_value(b >> 2);
    w[j + 96] = code2_value(b);
  }
}

// The 64 qs bytes of a TQ2_0 block -> 256 values (per 128-value half, LSB-first).
inline void decode_tq2_block(const uint8_t* qs, int8_t* w) {
  for (int half = 0; half < 2; ++half) {
    for (int m = 0; m < 32; ++m) {
      const uint8_t b = qs[half * 32 + m];
      int8_t* o = w + half * 128 + m;
      o[0] = code2_value(b);
      o[32] = code2_value(b >> 2);
      o[64] = code2_value(b >> 4);
      o[96] = code2_value(b >> 6);
    }
  }
}

// The 52 qs+qh bytes of a TQ1_0 block -> 256 values. The trit index n is the outer loop so each
// inner loop applies one constant multiplier to consecutive bytes.
inline void decode_tq1_block(const uint8_t* qs, int8_t* w) {
  uint8_t pow3 = 1;
  for (int n = 0; n < 5; ++n, pow3 = static_cast<uint8_t>(pow3 * 3))  // values m + 32n, first 160
    for (int m = 0; m < 32; ++m) w[m + 32 * n] = tq1_value(qs[m], pow3);
  pow3 = 1;
  for (int n = 0; n < 5; ++n, pow3 = static_cast<uint8_t>(pow3 * 3))  // 160 + m + 16n, next 80
    for (int m = 0; m < 16; ++m) w[160 + m + 16 * n] = tq1_value(qs[32 + m], pow3);
  pow3 = 1;
  for (int m = 0; m < 4; ++m, pow3 = static_cast<uint8_t>(pow3 * 3))  // qh: 240 + j + 4m, last 16
    for (int j = 0; j < 4; ++j) w[240 + j + 4 * m] = tq1_value(qs[kTq1QsBytes + j], pow3);
}

// Plain int8 dot over one decoded block; |result| <= 128 · n.
inline int32_t dot_i8_block(const int8_t* w, const int8_t* q, int n) {
  int32_t s = 0;
  for (int i = 0; i < n; ++i) s += w[i] * q[i];
  return s;
}

}  // namespace tern::kernels::detail
