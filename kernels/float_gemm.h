// Float-weight matrices (F16, F32, Q8_0) times float activations for many rows and tokens: the
// output projection (logits) and any non-ternary layer. Scalar references here; the SIMD levels
// must match them to the documented tolerance (their summation order differs: float lanes
// instead of the references' double accumulation).
#pragma once

#include <cstdint>

namespace tern::kernels {

// Layouts of a float matrix:
//  Rows  row-major, as in the file.
//  R4    (F16 only, k a multiple of 16) four rows interleaved in 16-value chunks: element (r, i)
//        at ((r/4)·(k/16) + i/16)·64 + (r%4)·16 + i%16, rows padded to a multiple of 4 with
//        zeros. The SIMD kernels compute four rows at a time to share each activation load, and
//        in this layout those four rows are one sequential stream (a core reading four separate
//        streams gets far less bandwidth than reading one).
enum class FloatLayout : uint8_t { Rows, R4 };

// y[t * ldy + r] = dot(W row r, x[t]) * scale for r in [r0, r1), t in [0, n_tokens).
// W is rows x k of the kernel's type; x is n_tokens rows of k floats. With R4, r0 must be a
// multiple of 4.
struct FloatGemm {
  FloatLayout layout = FloatLayout::Rows;
  const void* w = nullptr;
  int64_t rows = 0;
  int64_t k = 0;
  float scale = 1.0f;
  const float* x = nullptr;
  int n_tokens = 0;
  float* y = nullptr;
  int64_t ldy = 0;
};

// References: dot_f16_f32 / dot_f32 of kernels/float_dot.h per row and token, times scale.
// SIMD versions accumulate in float lanes; tolerance per output, with S = Σ_i |w_i · x_i|:
//   |y - y_ref| <= (k / 8 + 16) · 2^-24 · S · |scale| + tiny
// (a worst-case bound: every lane of the narrowest level, SSE4's 4 x 4 lanes without FMA, adds
// at most k/16 products with two roundings each, then a short reduction tree). Typical errors
// are orders of magnitude smaller.
void f16_gemm_ref(const FloatGemm& g, int64_t r0, int64_t r1);
// The R4 layout: bytes (rows rounded up to 4, times k, times 2), and the repack of row groups
// [g0, g1) (for a parallel repack) from a row-major F16 matrix.
uint64_t f16_r4_nbytes(int64_t rows, int64_t k);
void f16_repack_r4(const uint16_t* src, int64_t rows, int64_t k, uint16_t* dst, int64_t g0, int64_t g1);
// Row r of an R4 matrix, row-major (embedding lookups).
void f16_r4_row(const uint16_t* w, int64_t k, int64_t r, uint16_t* out);
void f32_gemm_ref(const FloatGemm& g, int64_t r0, int64_t r1);

// Q8_0 weights (ggml blocks: fp16 d, 32 int8) times Q8_0-quantised activations (q8_0_quantize of
// each token, k/32 blocks per token, so an all-integer inner product as in llama.cpp):
//   y[t][r] = scale · Σ_b d_w,b · d_x,b · Σ_j w_j · x_j
// xq holds n_tokens rows of k/32 blocks (row stride k/32 * 34 bytes); FloatGemm::x is unused.
// The reference accumulates the blocks in double; SIMD versions take exact int32 block sums and
// accumulate d_w·d_x·sum in float lanes (d_w·d_x itself rounded to float), tolerance
//   |y - y_ref| <= (k / 4 + 32) · 2^-24 · Σ_b |d_w,b · d_x,b| · Σ_j |w_j x_j| · |scale| + tiny.
struct Q8Gemm {
  FloatGemm f;
  const uint8_t* xq = nullptr;
};
void q8_0_gemm_ref(const Q8Gemm& g, int64_t r0, int64_t r1);
// One row of the above (reference).
float dot_q8_0_q8_0(const uint8_t* w_blocks, const uint8_t* x_blocks, int64_t k);

}  // namespace tern::kernels
