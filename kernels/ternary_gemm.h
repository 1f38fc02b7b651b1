// Ternary weight matrices times int8 activations for many rows and tokens at once (GEMV for one
// token, GEMM for a prompt), the weight layouts those kernels read, and the load-time repacking
// into them. The per-row maths is that of kernels/ternary_dot.h: an exact integer Σ w·q per row
// and token, then one float scaling.
//
// Layouts (K = row length, a multiple of 128):
//  I2S    bitnet.cpp's file layout, read in place: row r is K/4 bytes at r*K/4, blocks of 128
//         values in 32 bytes (kernels/ternary_formats.h). May hold the invalid code 3, which the
//         kernels decode as 0 like the reference.
//  I2S_R4 the same 32-byte blocks with four rows interleaved: group g (rows 4g..4g+3) is K bytes
//         at g*K, holding block b of row 4g+j at b*128 + j*32. A decode step then reads one
//         sequential stream and shares each activation load between four rows. Rows are padded
//         to a multiple of 4 with zero weights, and code 3 is rewritten as code 1 (= 0) at repack
//         time so the kernels need not mask it.
#pragma once

#include <cstdint>

namespace tern::kernels {

enum class TernaryLayout : uint8_t { I2S, I2S_R4 };

// One call computes rows [r0, r1) for every token:
//   y[t * ldy + r] = ((float)(Σ_k w[r][k] · q[t][k]) * w_scale) * factor[t]
// (the integer dot is exact; the two float multiplies happen in this order, so results are
// bit-identical at every dispatch level and for every split of the rows between threads).
// For I2S_R4, r0 must be a multiple of 4 (r1 may be `rows`).
struct TernaryGemm {
  TernaryLayout layout = TernaryLayout::I2S;
  const uint8_t* w = nullptr;
  int64_t rows = 0;
  int64_t k = 0;
  float w_scale = 1.0f;
  const int8_t* q = nullptr;       // n_tokens rows of k int8 activations, row stride k
  const int32_t* qsum = nullptr;   // Σ_k q[t][k] (kernels that multiply codes w+1 subtract it)
  const float* factor = nullptr;   // per token
  int n_tokens = 0;
  float* y = nullptr;
  int64_t ldy = 0;
};

// Scalar reference of the kernel above (the "scalar" dispatch level), built on the same block
// decoder as i2s_dot_i8.
void ternary_gemm_ref(const TernaryGemm& g, int64_t r0, int64_t r1);

// ---- I2S_R4 repacking ----
// Bytes of an I2S_R4 matrix: rows rounded up to 4, times K/4.
uint64_t i2s_r4_nbytes(int64_t rows, int64_t k);
// Repacks row groups [g0, g1) (g = rows / 4, rounded up) of an I2_S matrix (`src` = its packed
// rows; the scale tail is not read). Split the groups between threads for a parallel repack.
void i2s_repack_r4(const uint8_t* src, int64_t rows, int64_t k, uint8_t* dst, int64_t g0, int64_t g1);

// TQ2_0 / TQ1_0 matrices whose blocks all share one scale d (as converters produce from
// absmean-ternary weights: every block's absmax is the tensor scale; all-zero blocks have d = 0
// and are accepted too) can be repacked into I2S_R4 with w_scale = d exactly (the reference
// sums d_b · dot_b in double, which is exact, so the results stay bit-identical).
// Returns false, and leaves *d alone, when the scales differ.
bool tq2_0_uniform_scale(const uint8_t* src, int64_t rows, int64_t k, float* d);
bool tq1_0_uniform_scale(const uint8_t* src, int64_t rows, int64_t k, float* d);
void tq2_0_repack_r4(const uint8_t* src, int64_t rows, int64_t k, uint8_t* dst, int64_t g0, int64_t g1);
void tq1_0_repack_r4(const uint8_t* src, int64_t rows, int64_t k, uint8_t* dst, int64_t g0, int64_t g1);

}  // namespace tern::kernels
