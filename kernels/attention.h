// The inner loops of attention over a float KV cache: the scores of one query against many
// cached keys, and the probability-weighted sum of the cached values. Scalar references here;
// softmax_inplace (kernels/float_ops.h) is the third step.
#pragma once

#include <cstdint>

namespace tern::kernels {

// scores[p] = dot_f32(q, k + p * k_stride, hd) * scale, for p in [0, n_pos).
// SIMD versions sum in float lanes: |s - s_ref| <= (hd / 8 + 16) · 2^-24 · Σ|q·k| · |scale| + tiny
// (the bound of kernels/float_gemm.h).
void attn_scores_ref(const float* q, const float* k, int64_t k_stride, int n_pos, int hd, float scale,
                     float* scores);

// out[d] = Σ_p w[p] · v[p * v_stride + d] for d in [0, hd), computed as out = 0, then for
// p = 0, 1, ...: out[d] = out[d] + w[p] · v[...] with a separate (rounded) multiply and add.
// Every level keeps exactly this order and rounding, so results are bit-identical.
void attn_values_ref(const float* w, const float* v, int64_t v_stride, int n_pos, int hd, float* out);

// Grouped-query attention: the n_q query heads that share one key/value head, at once.
// Query head h is q + h * q_stride; its scores go to scores + h * s_stride, its output to
// out + h * out_stride (weights w + h * w_stride). Each head's results are exactly those of the
// single-head kernel of the same level (same arithmetic per head): the SIMD levels only share
// each key and value load between the heads. A query head's keys and values are streamed from
// L2 once per group instead of once per head.
void attn_scores_group_ref(const float* q, int64_t q_stride, int n_q, const float* k, int64_t k_stride, int n_pos,
                           int hd, float scale, float* scores, int64_t s_stride);
void attn_values_group_ref(const float* w, int64_t w_stride, int n_q, const float* v, int64_t v_stride, int n_pos,
                           int hd, float* out, int64_t out_stride);

// The same over an F16 KV cache: k and v hold IEEE halves (kernels/fp16.h), widened exactly to
// float as they are read, after which every level does the arithmetic of its F32 kernel. So at
// each level an F16 kernel's results are bit-identical to its F32 kernel's on the widened rows
// (NaN payloads aside: F16C quiets signalling NaNs), the values bit-identical to the reference
// below, and the scores within the F32 tolerance above of it. Why halves: they halve the
// cache's memory and the bytes attention streams per decoded token late in a long context.
void attn_scores_group_f16_ref(const float* q, int64_t q_stride, int n_q, const uint16_t* k, int64_t k_stride,
                               int n_pos, int hd, float scale, float* scores, int64_t s_stride);
void attn_values_group_f16_ref(const float* w, int64_t w_stride, int n_q, const uint16_t* v, int64_t v_stride,
                               int n_pos, int hd, float* out, int64_t out_stride);

// Softmax tolerance of the SIMD levels (their exp is a polynomial, not libm's):
// |p - p_ref| <= 2e-6 · p_ref + 1e-37 per element.

// XOR of the n / 8 little-endian 64-bit words at p (a trailing n % 8 bytes are ignored). Only
// here so that a memory-bandwidth benchmark has a load loop the compiler cannot remove.
uint64_t xor_words_ref(const uint8_t* p, uint64_t n);

}  // namespace tern::kernels
