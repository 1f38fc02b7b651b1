// Dot products with float activations, and the Q8_0 block format (scalar reference).
//
// All dots accumulate exact products in double over four independent lanes: as a reference the
// result is then the correctly-rounded sum for any realistic length, and four lanes keep the
// add latency from serialising the loop (compilers will not reorder float sums on their own).
#pragma once

#include <cstdint>

namespace tern::kernels {

float dot_f32(const float* a, const float* b, int64_t n);
// a holds IEEE fp16 bit patterns.
float dot_f16_f32(const uint16_t* a, const float* b, int64_t n);
// a holds bfloat16 bit patterns.
float dot_bf16_f32(const uint16_t* a, const float* b, int64_t n);

// ---- Q8_0 (ggml): blocks of 32 values, 34 bytes: fp16 d, then int8 qs[32]; x ≈ d · q ----
constexpr int64_t kQ8_0Block = 32;
constexpr int64_t kQ8_0BlockBytes = 34;

// Σ_b d_b · Σ_j q_j · x_j over one row of k values (k a multiple of 32, assert()ed only).
float dot_q8_0_f32(const uint8_t* row_blocks, const float* x, int64_t k);

// ggml's quantize_row_q8_0_ref: d = max|x| / 127 (stored as fp16), q = round(x / d) with
// rounding half away from zero (computed as x · (1/d) in float, like ggml). n must be a
// multiple of 32 (std::invalid_argument otherwise). Writes n/32 · 34 bytes.
void q8_0_quantize(const float* x, int64_t n, uint8_t* dst);
// y[i] = d_b · q[i].
void q8_0_dequant(const uint8_t* src, int64_t n, float* y);

}  // namespace tern::kernels
