// Per-token absmax int8 quantisation of activations (BitNet W1.58A8), scalar reference.
#pragma once

#include <cstdint>

namespace tern::kernels {

struct ActQuant {
  float scale;  // q ≈ x · scale
  int32_t sum;  // Σ q (I2_S kernels that compute Σ code·q use it to subtract the +1 offset)
};

// scale = 127 / max(max|x|, 1e-5); q[i] = clamp(round_half_even(x[i] · scale), -128, 127);
// sum = Σ q. Matches bitnet.cpp's quantize_row_i8_s (float multiply, magic-number rounding).
// The dot product of a ternary row w with x is then Σ w·q / scale (× the weight scale).
// Non-finite input yields a defined but meaningless result (no UB); n == 0 gives scale
// 127 / 1e-5 and sum 0.
ActQuant quantize_act_i8(const float* x, int8_t* q, int64_t n);

}  // namespace tern::kernels
