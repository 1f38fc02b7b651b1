// Float kernels for SIMD vectors of any width, written once against a float-traits class F
// (with its integer traits F::I): F16/F32/Q8_0 GEMM, the int8 activation quantiser, the Q8_0
// quantiser and the bandwidth loop (attention and softmax: attention_simd.h). Traits: F128/F256
// (kernels/x86/x86_simd.h), F512 (x86_simd512.h), FNeon (kernels/arm/neon_simd.h). Included by
// the per-level translation units only (see x86_simd.h for why).
//
// Each output's arithmetic depends only on its own row and token (never on how rows or tokens
// are tiled), so results do not change with the thread count.
#pragma once

#include <cstdint>
#include <cstring>
// C's <math.h>, not <cmath>: only the plain C macros and functions below are used (HUGE_VALF,
// fabsf), never std:: overloads or templates (kernels/README.md, "Dispatch"). GCC's
// __builtin_inff/__builtin_fabsf do not exist in MSVC; these compile to the same code in GCC/Clang.
#include <math.h>

#include "kernels/act_quant.h"
#include "kernels/float_dot.h"
#include "kernels/float_gemm.h"
#include "kernels/fp16.h"
#include "kernels/simd/stream_prefetch.h"

namespace tern::kernels {
namespace {

inline float fmax_keep(float a, float b) { return a < b ? b : a; }  // std::max(a, b) semantics
inline int64_t fmin_i64(int64_t a, int64_t b) { return a < b ? a : b; }

// ---- dot products of R weight rows with one activation row ----
// Each row has two accumulators of N lanes taking turns over 2N-value steps, then one N-step at
// a time into the first; the last k % N elements are summed in scalar order after the
// horizontal sum. Four rows at a time share every activation load: with one row the loop is
// bound by loads (two per FMA), and four rows x two accumulators also give eight independent
// FMA chains. A row's arithmetic is the same in a 4-row tile as alone (the tail of a range),
// and tokens are done one at a time (the weight rows are still in L1 for the next token), so
// every output is computed the same way whatever the split between threads.
template <class F, int R, typename LoadW, typename ScalarW>
inline void dot_rows(const float* x, int64_t k, LoadW load_w, ScalarW scalar_w, float* out) {
  using V = typename F::V;
  constexpr int N = F::N;
  V acc[R][2];
  for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = F::zero();
  int64_t i = 0;
  for (; i + 2 * N <= k; i += 2 * N)
    for (int j = 0; j < 2; ++j) {
      const V xv = F::load(x + i + j * N);
      for (int r = 0; r < R; ++r) acc[r][j] = F::fmadd(load_w(r, i + j * N), xv, acc[r][j]);
    }
  for (; i + N <= k; i += N) {
    const V xv = F::load(x + i);
    for (int r = 0; r < R; ++r) acc[r][0] = F::fmadd(load_w(r, i), xv, acc[r][0]);
  }
  for (int r = 0; r < R; ++r) {
    float s = F::hsum(F::add(acc[r][0], acc[r][1]));
    for (int64_t j = i; j < k; ++j) s += scalar_w(r, j) * x[j];
    out[r] = s;
  }
}

// Rows r .. r+R-1 for tokens [t0, t1); writes y[(t - t0) * ldy + q] for row r + q.
template <class F, bool kF16, int R>
inline void float_rows(const FloatGemm& g, int64_t r, int t0, int t1, const float* table, float* y, int64_t ldy) {
  for (int t = t0; t < t1; ++t) {
    const float* x = g.x + t * g.k;
    float s[R];
    if constexpr (kF16) {
      const int64_t k = g.k;
      if (g.layout == FloatLayout::R4) {  // R == 4, r a multiple of 4: one sequential stream
        const uint16_t* w = static_cast<const uint16_t*>(g.w) + (r / 4) * 4 * k;
        dot_rows<F, R>(x, k, [w](int q, int64_t i) { return F::load_f16(w + (i / 16) * 64 + q * 16 + i % 16); },
                       [w, table](int q, int64_t i) { return table[w[(i / 16) * 64 + q * 16 + i % 16]]; }, s);
      } else {
        const uint16_t* w = static_cast<const uint16_t*>(g.w) + r * k;
        dot_rows<F, R>(x, k, [w, k](int q, int64_t i) { return F::load_f16(w + q * k + i); },
                       [w, k, table](int q, int64_t i) { return table[w[q * k + i]]; }, s);
      }
    } else {
      const float* w = static_cast<const float*>(g.w) + r * g.k;
      const int64_t k = g.k;
      dot_rows<F, R>(x, k, [w, k](int q, int64_t i) { return F::load(w + q * k + i); },
                     [w, k](int q, int64_t i) { return w[q * k + i]; }, s);
    }
    for (int q = 0; q < R; ++q) y[(t - t0) * ldy + q] = s[q] * g.scale;
  }
}

template <class F, bool kF16>
void float_gemm_simd(const FloatGemm& g, int64_t r0, int64_t r1) {
  const float* table = detail::fp16_table();
  int64_t r = r0;
  for (; r + 4 <= r1; r += 4) float_rows<F, kF16, 4>(g, r, 0, g.n_tokens, table, g.y + r, g.ldy);
  if (kF16 && g.layout == FloatLayout::R4 && r < r1) {
    // The last group, padded to four rows in the layout: computed whole, the real rows kept.
    float tmp[4 * 64];
    for (int t0 = 0; t0 < g.n_tokens; t0 += 64) {
      const int t1 = static_cast<int>(fmin_i64(g.n_tokens, t0 + 64));
      float_rows<F, kF16, 4>(g, r, t0, t1, table, tmp, 4);
      for (int t = t0; t < t1; ++t)
        for (int64_t q = r; q < r1; ++q) g.y[t * g.ldy + q] = tmp[(t - t0) * 4 + (q - r)];
    }
    return;
  }
  for (; r < r1; ++r) float_rows<F, kF16, 1>(g, r, 0, g.n_tokens, table, g.y + r, g.ldy);
}

// ---- Q8_0 x Q8_0 ----
// Per block: the exact int32 Σ w·x (I::dot_i8; x is within ±127), converted to float and accumulated with
// the block's d_w·d_x (scalar, eight blocks ahead); the activations' scales are converted to
// float once per call.
template <class F>
inline float q8_0_dot(const uint8_t* w, const float* dx, int64_t nb, const uint8_t* x, const float* table) {
  using I = typename F::I;
  constexpr int W = I::kBytes;
  typename F::V acc[4] = {F::zero(), F::zero(), F::zero(), F::zero()};
  alignas(32) float d[8];
  int64_t b = 0;
  auto block = [&](int64_t bb, float dd) {
    const uint8_t* wb = w + bb * kQ8_0BlockBytes;
    const uint8_t* xb = x + bb * kQ8_0BlockBytes;
    typename I::V32 s = I::zero32();
    for (int c = 0; c < 32 / W; ++c) s = I::add32(s, I::dot_i8(I::load(wb + 2 + c * W), I::load(xb + 2 + c * W)));
    acc[bb & 3] = F::fmadd(F::from_i32(s), F::set1(dd), acc[bb & 3]);
  };
  for (; b + 8 <= nb; b += 8) {
    prefetch_ahead(w + b * kQ8_0BlockBytes, 8 * kQ8_0BlockBytes);  // rows are consecutive: one stream
    // d_w of eight blocks (fp16 -> float exactly), times the activations' d_x.
    for (int j = 0; j < 8; ++j) {
      uint16_t h;
      std::memcpy(&h, w + (b + j) * kQ8_0BlockBytes, 2);
      d[j] = table[h] * dx[b + j];
    }
    for (int j = 0; j < 8; ++j) block(b + j, d[j]);
  }
  for (; b < nb; ++b) {
    uint16_t h;
    std::memcpy(&h, w + b * kQ8_0BlockBytes, 2);
    block(b, table[h] * dx[b]);
  }
  return F::hsum(F::add(F::add(acc[0], acc[1]), F::add(acc[2], acc[3])));
}

template <class F>
void q8_0_gemm_simd(const Q8Gemm& g, int64_t r0, int64_t r1) {
  const FloatGemm& f = g.f;
  const int64_t nb = f.k / kQ8_0Block, row_bytes = nb * kQ8_0BlockBytes;
  const float* table = detail::fp16_table();
  const uint8_t* w = static_cast<const uint8_t*>(f.w);
  // The activations' block scales as floats, for a chunk of tokens at a time.
  constexpr int64_t kScales = 4096;
  float dx[kScales];
  const int64_t chunk = nb <= kScales ? kScales / nb : 0;
  if (chunk == 0) {  // rows longer than 131072 values: scales per token
    for (int t = 0; t < f.n_tokens; ++t)
      for (int64_t r = r0; r < r1; ++r) {
        double acc = 0;  // rare shape; correctness over speed
        for (int64_t b = 0; b < nb; b += kScales) {
          const int64_t n = fmin_i64(kScales, nb - b);
          for (int64_t j = 0; j < n; ++j) {
            uint16_t h;
            std::memcpy(&h, g.xq + t * row_bytes + (b + j) * kQ8_0BlockBytes, 2);
            dx[j] = table[h];
          }
          acc += q8_0_dot<F>(w + r * row_bytes + b * kQ8_0BlockBytes, dx, n, g.xq + t * row_bytes + b * kQ8_0BlockBytes, table);
        }
        f.y[t * f.ldy + r] = static_cast<float>(acc) * f.scale;
      }
    return;
  }
  for (int t0 = 0; t0 < f.n_tokens; t0 += static_cast<int>(chunk)) {
    const int t1 = static_cast<int>(fmin_i64(f.n_tokens, t0 + chunk));
    for (int t = t0; t < t1; ++t)
      for (int64_t b = 0; b < nb; ++b) {
        uint16_t h;
        std::memcpy(&h, g.xq + t * row_bytes + b * kQ8_0BlockBytes, 2);
        dx[(t - t0) * nb + b] = table[h];
      }
    for (int64_t r = r0; r < r1; ++r)  // rows outside: a weight row stays in L1 for every token
      for (int t = t0; t < t1; ++t)
        f.y[t * f.ldy + r] = q8_0_dot<F>(w + r * row_bytes, dx + (t - t0) * nb, nb, g.xq + t * row_bytes, table) * f.scale;
  }
}


// ---- int8 activation quantisation, bit-identical to quantize_act_i8 ----
// Same float operations in the same order: |x| max (NaN-ignoring like std::max), one scale,
// x·scale, the 1.5·2^23 rounding trick on the bits, clamp, sum.
inline int32_t round_half_even_bits(float v) {
  const float t = v + 12582912.0f;
  int32_t i;
  std::memcpy(&i, &t, sizeof i);
  return (i & 0x007FFFFF) - 0x00400000;
}

template <class F>
ActQuant quantize_act_i8_simd(const float* x, int8_t* q, int64_t n) {
  using V = typename F::V;
  using I = typename F::I;
  using IV = typename I::V32;
  constexpr int N = F::N;
  V vmax = F::zero();
  int64_t i = 0;
  for (; i + N <= n; i += N) vmax = F::max_ignore_nan(F::abs(F::load(x + i)), vmax);  // NaN lanes keep vmax
  float amax = F::hmax(vmax);
  for (int64_t j = i; j < n; ++j) amax = fmax_keep(amax, fabsf(x[j]));
  const float scale = 127.0f / fmax_keep(amax, 1e-5f);
  const V vs = F::set1(scale), magic = F::set1(12582912.0f);
  const IV mant = I::set1_32(0x007FFFFF), neg_bias = I::set1_32(-0x00400000);
  const IV lo = I::set1_32(-128), hi = I::set1_32(127);
  IV vsum = I::zero32();
  for (i = 0; i + 4 * N <= n; i += 4 * N) {
    IV r[4];
    for (int j = 0; j < 4; ++j) {
      const IV bitsv = I::and32(F::as_int(F::add(F::mul(F::load(x + i + j * N), vs), magic)), mant);
      // (bits & mant) - 0x400000, clamped to int8
      r[j] = I::min32(I::max32(I::add32(bitsv, neg_bias), lo), hi);
      vsum = I::add32(vsum, r[j]);
    }
    I::store(q + i, I::pack_i8(r[0], r[1], r[2], r[3]));
  }
  int32_t sum = I::hsum32(vsum);
  for (; i < n; ++i) {
    int32_t v = round_half_even_bits(x[i] * scale);
    v = v < -128 ? -128 : (v > 127 ? 127 : v);
    q[i] = static_cast<int8_t>(v);
    sum += v;
  }
  return {scale, sum};
}

// ---- Q8_0 quantisation, bit-identical to q8_0_quantize ----
// Per block: d = max|x| / 127 (the same float division), id = 1/d, q = round(x·id) half away from
// zero (trunc, then ±1 where the exact remainder is >= 0.5: equal to std::round below 2^23),
// NaN -> 0, clamp ±127. The fp16 of d comes from the reference converter.
template <class F>
void q8_0_quantize_simd(const float* x, int64_t n, uint8_t* dst) {
  using V = typename F::V;
  using I = typename F::I;
  constexpr int N = F::N, M = 32 / N;  // vectors per block
  const V half = F::set1(0.5f), one = F::set1(1.0f), lim = F::set1(127.0f), nlim = F::set1(-127.0f);
  const V sign_bit = F::bits(I::set1_32(static_cast<int32_t>(0x80000000u)));
  for (int64_t b = 0; b < n / kQ8_0Block; ++b) {
    const float* xb = x + b * kQ8_0Block;
    uint8_t* out = dst + b * kQ8_0BlockBytes;
    V v[M], vmax = F::zero();
    for (int j = 0; j < M; ++j) {
      v[j] = F::load(xb + j * N);
      vmax = F::max_ignore_nan(F::abs(v[j]), vmax);
    }
    const float d = F::hmax(vmax) / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    const uint16_t dh = f32_to_fp16(d);
    std::memcpy(out, &dh, 2);
    typename I::V32 r[4];
    for (int j = 0; j < M; ++j) {
      const V p = F::mul(v[j], F::set1(id));
      const V t = F::trunc(p);
      const V up = F::ge(F::abs(F::sub(p, t)), half);                     // remainder >= 0.5
      const V step = F::or_(F::and_(p, sign_bit), one);                   // ±1 with p's sign
      V q = F::add(t, F::and_(up, step));
      q = F::and_(F::max(F::min(q, lim), nlim), F::ordered(p));           // clamp; NaN -> 0
      r[j % 4] = F::to_i32(q);
      if (j % 4 == 3) I::store(out + 2 + (j / 4) * 4 * N, I::pack_i8(r[0], r[1], r[2], r[3]));
    }
  }
}

// fp16 -> float for a row (bit-identical to fp16_to_f32_row).
template <class F>
void fp16_to_f32_row_simd(const uint16_t* h, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + F::N <= n; i += F::N) F::store(y + i, F::load_f16(h + i));
  const float* table = detail::fp16_table();
  for (; i < n; ++i) y[i] = table[h[i]];
}

// ---- XOR of 64-bit words (bandwidth loop) ----
template <class I>
uint64_t xor_words_simd(const uint8_t* p, uint64_t n) {
  using V = typename I::V;
  constexpr int W = I::kBytes;
  V a0 = I::zero(), a1 = I::zero(), a2 = I::zero(), a3 = I::zero();
  uint64_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    a0 = I::xor_(a0, I::load(p + i));
    a1 = I::xor_(a1, I::load(p + i + W));
    a2 = I::xor_(a2, I::load(p + i + 2 * W));
    a3 = I::xor_(a3, I::load(p + i + 3 * W));
  }
  uint64_t x = I::fold64(I::xor_(I::xor_(a0, a1), I::xor_(a2, a3)));
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    x ^= w;
  }
  return x;
}

}  // namespace
}  // namespace tern::kernels
