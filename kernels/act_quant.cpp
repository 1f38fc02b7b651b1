#include "kernels/act_quant.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace tern::kernels {
namespace {

// Round half to even without libm: adding 1.5·2^23 pushes the fraction bits out of a float's
// mantissa, and the FPU's default round-to-nearest-even does the rounding. The integer is then in
// the low mantissa bits. Valid for |v| < 2^22; activations here are within ±127·(1+ε). This is
// the same trick as ggml's nearest_int, and it is used instead of std::nearbyint because baseline
// x86-64 (no SSE4.1 roundss) turns nearbyint into a library call per element. NaN maps to some
// integer that the caller clamps, never UB (unlike a float -> int cast).
inline int32_t round_half_even(float v) {
  const float t = v + 12582912.0f;  // 1.5 * 2^23
  int32_t i;
  std::memcpy(&i, &t, sizeof i);
  return (i & 0x007FFFFF) - 0x00400000;
}

}  // namespace

ActQuant quantize_act_i8(const float* x, int8_t* q, int64_t n) {
  float amax = 0.0f;
  for (int64_t i = 0; i < n; ++i) amax = std::max(amax, std::fabs(x[i]));
  const float scale = 127.0f / std::max(amax, 1e-5f);
  int32_t sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    // The clamp can only bite through float rounding (|x·scale| <= 127 mathematically) or
    // non-finite input; it keeps the int8 store well defined in every case.
    const int32_t r = std::clamp(round_half_even(x[i] * scale), -128, 127);
    q[i] = static_cast<int8_t>(r);
    sum += r;
  }
  return {scale, sum};
}

}  // namespace tern::kernels
