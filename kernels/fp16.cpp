#include "kernels/fp16.h"

#include <cstring>
#include <vector>

namespace tern::kernels {
namespace {

uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

float bits_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// The bit-level conversion; used only to fill the table.
float fp16_to_f32_compute(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu;
  uint32_t mant = h & 0x3FFu;
  if (exp == 0x1F) return bits_float(sign | 0x7F800000u | (mant << 13));  // inf / NaN (payload kept)
  if (exp != 0) return bits_float(sign | ((exp + 112u) << 23) | (mant << 13));  // 127 - 15 = 112
  if (mant == 0) return bits_float(sign);                                       // +-0
  // Subnormal: value = mant * 2^-24. Normalise so the leading 1 becomes the implicit bit.
  int e = 113;  // exponent field of 2^-14, decremented while shifting
  while ((mant & 0x400u) == 0) {
    mant <<= 1;
    --e;
  }
  mant &= 0x3FFu;
  return bits_float(sign | (static_cast<uint32_t>(e) << 23) | (mant << 13));
}

// Shift right by s (1..31) with round to nearest, ties to even.
uint32_t shift_rne(uint32_t v, int s) {
  const uint32_t r = v >> s;
  const uint32_t rem = v & ((1u << s) - 1u);
  const uint32_t half = 1u << (s - 1);
  return (rem > half || (rem == half && (r & 1u))) ? r + 1 : r;
}

}  // namespace

namespace detail {
const float* fp16_table() {
  // Function-local static: initialised exactly once even with concurrent first calls (C++11).
  static const std::vector<float> table = [] {
    std::vector<float> t(65536);
    for (uint32_t i = 0; i < 65536; ++i) t[i] = fp16_to_f32_compute(static_cast<uint16_t>(i));
    return t;
  }();
  return table.data();
}
}  // namespace detail

float fp16_to_f32(uint16_t h) { return detail::fp16_table()[h]; }

uint16_t f32_to_fp16(float x) {
  const uint32_t u = float_bits(x);
  const uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000u);
  const uint32_t a = u & 0x7FFFFFFFu;
  if (a >= 0x7F800000u) {  // inf or NaN
    if (a == 0x7F800000u) return sign | 0x7C00u;
    uint16_t m = static_cast<uint16_t>((a >> 13) & 0x3FFu);
    if (m == 0) m = 0x200u;  // payload only in the dropped bits: keep it a (quiet) NaN
    return sign | 0x7C00u | m;
  }
  // 65520 (0x477FF000) is halfway between 65504 (max finite, odd mantissa) and 65536: ties to
  // even round it up, so everything from there on overflows to inf.
  if (a >= 0x477FF000u) return sign | 0x7C00u;
  const int e = static_cast<int>(a >> 23);
  if (e >= 113) {  // normal fp16 range (>= 2^-14)
    // Rebias the exponent and round the 23-bit mantissa to 10 bits; a mantissa carry correctly
    // bumps the exponent.
    const uint32_t v = (static_cast<uint32_t>(e - 112) << 23) | (a & 0x7FFFFFu);
    return sign | static_cast<uint16_t>(shift_rne(v, 13));
  }
  // Subnormal fp16 (unit 2^-24). float value = m * 2^(e-150) with the implicit bit in m, so the
  // count of 2^-24 units is m >> (126 - e). Below 2^-25 (e < 102) everything rounds to zero, and
  // exactly 2^-25 is a tie that goes to the even 0 (handled by shift_rne with s = 24).
  if (e < 102) return sign;
  const uint32_t m = (a & 0x7FFFFFu) | 0x800000u;
  return sign | static_cast<uint16_t>(shift_rne(m, 126 - e));  // may round up to 0x400 (min normal)
}

float bf16_to_f32(uint16_t b) { return bits_float(static_cast<uint32_t>(b) << 16); }

uint16_t f32_to_bf16(float x) {
  const uint32_t u = float_bits(x);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) {  // NaN: truncate, never round (rounding could carry)
    uint16_t b = static_cast<uint16_t>(u >> 16);
    if ((b & 0x7Fu) == 0) b |= 0x40u;
    return b;
  }
  // Adding 0x7FFF (+1 when the kept lsb is odd) rounds to nearest-even; a carry into the
  // exponent is the correct result, including overflow of the largest values to inf.
  return static_cast<uint16_t>((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

void fp16_to_f32_row(const uint16_t* h, float* y, int64_t n) {
  const float* t = detail::fp16_table();
  for (int64_t i = 0; i < n; ++i) y[i] = t[h[i]];
}

}  // namespace tern::kernels
