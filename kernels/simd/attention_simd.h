// Attention for SIMD vectors of any width, written against the same float-traits class F as
// float_simd.h: scores over the KV cache (one head, or the H query heads that share a key/value
// head), the weighted value sum and softmax. Included by the per-level translation units only,
// after float_simd.h, whose small helpers it uses (see x86_simd.h for why).
#pragma once

#include "kernels/attention.h"
#include "kernels/simd/float_simd.h"
#include "kernels/simd/stream_prefetch.h"

namespace tern::kernels {
namespace {

// ---- attention ----
// Every kernel below reads its keys/values as T: float (an F32 KV cache) or uint16_t (IEEE half,
// an F16 KV cache). Halves are widened to float as they are loaded (F::load_f16: F16C / NEON
// vcvt, or SSE4's exact shift-and-scale) and from then on the arithmetic is the float kernel's,
// operation for operation. Widening is exact, so an F16 kernel gives bit for bit what its F32
// twin gives on the widened rows (a NaN's payload aside: F16C quiets signalling NaNs).
template <class F>
inline typename F::V load_kv(const float* p) { return F::load(p); }
template <class F>
inline typename F::V load_kv(const uint16_t* p) { return F::load_f16(p); }
inline float kv_scalar(float x) { return x; }
inline float kv_scalar(uint16_t h) { return fp16_to_f32(h); }

// Per key: two accumulators over 2N-float steps, one N-step, scalar tail; four keys at a time
// share each query load.
template <class F, int P, class T>
inline void scores_tile(const float* q, const T* k, int64_t k_stride, int hd, float scale, float* out) {
  using V = typename F::V;
  constexpr int N = F::N;
  V a[P], b[P];
  for (int p = 0; p < P; ++p) a[p] = b[p] = F::zero();
  int i = 0;
  for (; i + 2 * N <= hd; i += 2 * N) {
    const V q0 = F::load(q + i), q1 = F::load(q + i + N);
    for (int p = 0; p < P; ++p) {
      a[p] = F::fmadd(q0, load_kv<F>(k + p * k_stride + i), a[p]);
      b[p] = F::fmadd(q1, load_kv<F>(k + p * k_stride + i + N), b[p]);
    }
  }
  for (; i + N <= hd; i += N) {
    const V q0 = F::load(q + i);
    for (int p = 0; p < P; ++p) a[p] = F::fmadd(q0, load_kv<F>(k + p * k_stride + i), a[p]);
  }
  for (int p = 0; p < P; ++p) {
    float s = F::hsum(F::add(a[p], b[p]));
    for (int j = i; j < hd; ++j) s += q[j] * kv_scalar(k[p * k_stride + j]);
    out[p] = s * scale;
  }
}

template <class F, class T = float>
void attn_scores_simd(const float* q, const T* k, int64_t k_stride, int n_pos, int hd, float scale, float* scores) {
  int p = 0;
  for (; p + 4 <= n_pos; p += 4) scores_tile<F, 4, T>(q, k + p * k_stride, k_stride, hd, scale, scores + p);
  for (; p < n_pos; ++p) scores_tile<F, 1, T>(q, k + p * k_stride, k_stride, hd, scale, scores + p);
}

// Positions per block of the value sums below. Each block of cached values (32 x 512 bytes for
// a 128-dim head) is first read front to back (touch_rows), which the hardware prefetcher
// follows, and then every slice of the output reuses it from L1. Slice by slice over all
// positions, each pass read one cache line per position, 512 bytes apart, at ~6 GB/s from
// memory; blocked and touched, ~11 GB/s (values of 2048 positions x 4 heads: 165 -> 95 us
// per key/value head). Each output element is still summed in p order with the same operations
// (partial sums go through `out` as floats between blocks, which is exact).
constexpr int kValueBlock = 32;

// One load per 64-byte line of rows [p0, p1), in address order (hardware prefetchers follow
// loads better than software prefetches here: 95 against 145 us above). The loads feed eight
// independent sums that only keep them alive: one long chain of dependent adds cost 40 % when
// the values were already in L1. What remains costs the single-head kernel ~20 % when its values
// are already in L1/L2 (hd 128, 512 positions: 9.6 -> ~11.8 us); the grouped kernel the engine
// uses came out no slower even then (its value loads are shared by the group's heads).
// For halves the load widens them (a raw bit pattern loaded as floats could be a denormal, and
// an add of one can take a slow microcode path); widened halves are never float denormals.
template <class F, class T>
inline void touch_rows(const T* v, int64_t stride, int p0, int p1, int hd) {
  constexpr int kPerLine = 64 / (int)sizeof(T);
  typename F::V t[8];
  for (int j = 0; j < 8; ++j) t[j] = F::zero();
  int line = 0;
  for (int p = p0; p < p1; ++p)
    for (int b = 0; b + F::N <= hd; b += kPerLine, ++line)
      t[line & 7] = F::add(t[line & 7], load_kv<F>(v + p * stride + b));
  for (int j = 1; j < 8; ++j) t[0] = F::add(t[0], t[j]);
  float lanes[F::N];
  F::store(lanes, t[0]);
  volatile float sink = lanes[0];
  (void)sink;
}

// out = Σ_p w_p · v_p, in p order with a separate multiply and add (bit-identical to the
// reference). Chunks of 8 vectors of the output stay in registers while a block of positions
// streams by.
template <class F, class T = float>
void attn_values_simd(const float* w, const T* v, int64_t v_stride, int n_pos, int hd, float* out) {
  using V = typename F::V;
  constexpr int N = F::N, kChunk = 8 * N;
  for (int p0 = 0; p0 == 0 || p0 < n_pos; p0 += kValueBlock) {
    const int p1 = p0 + kValueBlock < n_pos ? p0 + kValueBlock : n_pos;
    const bool first = p0 == 0;
    touch_rows<F, T>(v, v_stride, p0, p1, hd);
    int d0 = 0;
    for (; d0 + kChunk <= hd; d0 += kChunk) {
      V acc[8];
      for (int j = 0; j < 8; ++j) acc[j] = first ? F::zero() : F::load(out + d0 + j * N);
      for (int p = p0; p < p1; ++p) {
        const V wp = F::set1(w[p]);
        const T* vp = v + p * v_stride + d0;
        for (int j = 0; j < 8; ++j) acc[j] = F::add(acc[j], F::mul(wp, load_kv<F>(vp + j * N)));
      }
      for (int j = 0; j < 8; ++j) F::store(out + d0 + j * N, acc[j]);
    }
    for (; d0 + N <= hd; d0 += N) {
      V acc = first ? F::zero() : F::load(out + d0);
      for (int p = p0; p < p1; ++p) acc = F::add(acc, F::mul(F::set1(w[p]), load_kv<F>(v + p * v_stride + d0)));
      F::store(out + d0, acc);
    }
    for (; d0 < hd; ++d0) {
      float acc = first ? 0.0f : out[d0];
      for (int p = p0; p < p1; ++p) acc = acc + w[p] * kv_scalar(v[p * v_stride + d0]);
      out[d0] = acc;
    }
  }
}

// ---- grouped-query attention: H query heads sharing one key/value head ----
// Per head, exactly the arithmetic of scores_tile<F, 1> (two accumulators over 2N-float steps,
// one N-step, horizontal sum, scalar tail, scale), so every score is bit-identical to
// attn_scores_simd's; the key vectors are loaded once for the H heads.
template <class F, int H, class T>
inline void scores_heads(const float* q, int64_t q_stride, const T* k, int hd, float scale, float* out,
                         int64_t out_stride) {
  using V = typename F::V;
  constexpr int N = F::N;
  V a[H], b[H];
  for (int h = 0; h < H; ++h) a[h] = b[h] = F::zero();
  int i = 0;
  for (; i + 2 * N <= hd; i += 2 * N) {
    const V k0 = load_kv<F>(k + i), k1 = load_kv<F>(k + i + N);
    for (int h = 0; h < H; ++h) {
      a[h] = F::fmadd(F::load(q + h * q_stride + i), k0, a[h]);
      b[h] = F::fmadd(F::load(q + h * q_stride + i + N), k1, b[h]);
    }
  }
  for (; i + N <= hd; i += N) {
    const V k0 = load_kv<F>(k + i);
    for (int h = 0; h < H; ++h) a[h] = F::fmadd(F::load(q + h * q_stride + i), k0, a[h]);
  }
  for (int h = 0; h < H; ++h) {
    float s = F::hsum(F::add(a[h], b[h]));
    for (int j = i; j < hd; ++j) s += q[h * q_stride + j] * kv_scalar(k[j]);
    out[h * out_stride] = s * scale;
  }
}

template <class F, int H, class T>
inline void scores_group_h(const float* q, int64_t q_stride, const T* k, int64_t k_stride, int n_pos, int hd,
                           float scale, float* scores, int64_t s_stride) {
  for (int p = 0; p < n_pos; ++p) scores_heads<F, H, T>(q, q_stride, k + p * k_stride, hd, scale, scores + p, s_stride);
}

template <class F, class T = float>
void attn_scores_group_simd(const float* q, int64_t q_stride, int n_q, const T* k, int64_t k_stride, int n_pos,
                            int hd, float scale, float* scores, int64_t s_stride) {
  int h = 0;
  for (; h + 4 <= n_q; h += 4)  // 4 heads: 8 accumulators, with the key vectors within 16 registers
    scores_group_h<F, 4, T>(q + h * q_stride, q_stride, k, k_stride, n_pos, hd, scale, scores + h * s_stride, s_stride);
  const float* qh = q + h * q_stride;
  float* sh = scores + h * s_stride;
  switch (n_q - h) {
    case 3: scores_group_h<F, 3, T>(qh, q_stride, k, k_stride, n_pos, hd, scale, sh, s_stride); break;
    case 2: scores_group_h<F, 2, T>(qh, q_stride, k, k_stride, n_pos, hd, scale, sh, s_stride); break;
    case 1: attn_scores_simd<F, T>(qh, k, k_stride, n_pos, hd, scale, sh); break;
    default: break;
  }
}

// out_h = Σ_p w_h[p] · v_p for H heads, each element in p order with a separate multiply and add
// (bit-identical to the reference); a 2N-float slice of the H outputs stays in registers while
// a block of positions streams by, and each value vector is loaded once for the H heads.
template <class F, int H, class T>
inline void values_heads(const float* w, int64_t w_stride, const T* v, int64_t v_stride, int n_pos, int hd,
                         float* out, int64_t out_stride) {
  using V = typename F::V;
  constexpr int N = F::N;
  for (int p0 = 0; p0 == 0 || p0 < n_pos; p0 += kValueBlock) {
    const int p1 = p0 + kValueBlock < n_pos ? p0 + kValueBlock : n_pos;
    const bool first = p0 == 0;
    touch_rows<F, T>(v, v_stride, p0, p1, hd);
    int d0 = 0;
    for (; d0 + 2 * N <= hd; d0 += 2 * N) {
      V acc[H][2];
      for (int h = 0; h < H; ++h)
        for (int j = 0; j < 2; ++j) acc[h][j] = first ? F::zero() : F::load(out + h * out_stride + d0 + j * N);
      for (int p = p0; p < p1; ++p) {
        // Halves: the same slice of the next block's rows is fetched while this block is computed
        // from L1 (2B4T, 2048 positions: 120 -> 110 us per key/value head on Zen 3). Floats: the
        // two 16 KiB blocks then crowd a 32 KiB L1 and it ran ~15 % slower, so they do not.
        if constexpr (sizeof(T) == 2)
          prefetch_lines<false>(v + p * v_stride + d0, kValueBlock * v_stride * (std::ptrdiff_t)sizeof(T),
                                2 * N * (std::ptrdiff_t)sizeof(T));
        const V v0 = load_kv<F>(v + p * v_stride + d0), v1 = load_kv<F>(v + p * v_stride + d0 + N);
        for (int h = 0; h < H; ++h) {
          const V wp = F::set1(w[h * w_stride + p]);
          acc[h][0] = F::add(acc[h][0], F::mul(wp, v0));
          acc[h][1] = F::add(acc[h][1], F::mul(wp, v1));
        }
      }
      for (int h = 0; h < H; ++h) {
        F::store(out + h * out_stride + d0, acc[h][0]);
        F::store(out + h * out_stride + d0 + N, acc[h][1]);
      }
    }
    for (; d0 + N <= hd; d0 += N) {
      V acc[H];
      for (int h = 0; h < H; ++h) acc[h] = first ? F::zero() : F::load(out + h * out_stride + d0);
      for (int p = p0; p < p1; ++p) {
        const V v0 = load_kv<F>(v + p * v_stride + d0);
        for (int h = 0; h < H; ++h) acc[h] = F::add(acc[h], F::mul(F::set1(w[h * w_stride + p]), v0));
      }
      for (int h = 0; h < H; ++h) F::store(out + h * out_stride + d0, acc[h]);
    }
    for (; d0 < hd; ++d0)
      for (int h = 0; h < H; ++h) {
        float acc = first ? 0.0f : out[h * out_stride + d0];
        for (int p = p0; p < p1; ++p) acc = acc + w[h * w_stride + p] * kv_scalar(v[p * v_stride + d0]);
        out[h * out_stride + d0] = acc;
      }
  }
}

template <class F, class T = float>
void attn_values_group_simd(const float* w, int64_t w_stride, int n_q, const T* v, int64_t v_stride, int n_pos,
                            int hd, float* out, int64_t out_stride) {
  int h = 0;
  for (; h + 4 <= n_q; h += 4)
    values_heads<F, 4, T>(w + h * w_stride, w_stride, v, v_stride, n_pos, hd, out + h * out_stride, out_stride);
  const float* wh = w + h * w_stride;
  float* oh = out + h * out_stride;
  switch (n_q - h) {
    case 3: values_heads<F, 3, T>(wh, w_stride, v, v_stride, n_pos, hd, oh, out_stride); break;
    case 2: values_heads<F, 2, T>(wh, w_stride, v, v_stride, n_pos, hd, oh, out_stride); break;
    case 1: attn_values_simd<F, T>(wh, v, v_stride, n_pos, hd, oh); break;
    default: break;
  }
}

// exp(x) for x <= 0: x = n·ln2 + r, |r| <= ln2/2, e^r by its degree-7 Taylor polynomial
// (truncation < 6e-9 relative), times 2^n built in the exponent field. Below -87.3 (where 2^n
// would leave the normal range) the result is 0, whereas libm returns denormals < 1.2e-38.
// Maximum error measured against libm: a few ulp; exp(0) = 1 exactly.
template <class F>
inline typename F::V exp_nonpositive(typename F::V x) {
  using V = typename F::V;
  const V tiny = F::lt(x, F::set1(-87.3f));
  x = F::max(x, F::set1(-87.3f));
  const V n = F::round_nearest(F::mul(x, F::set1(1.44269504088896341f)));
  V r = F::fmadd(n, F::set1(-0.693359375f), x);     // ln2 split in two so n·ln2_hi is exact
  r = F::fmadd(n, F::set1(2.12194440e-4f), r);
  V p = F::set1(1.0f / 5040);
  p = F::fmadd(p, r, F::set1(1.0f / 720));
  p = F::fmadd(p, r, F::set1(1.0f / 120));
  p = F::fmadd(p, r, F::set1(1.0f / 24));
  p = F::fmadd(p, r, F::set1(1.0f / 6));
  p = F::fmadd(p, r, F::set1(0.5f));
  p = F::fmadd(p, r, F::set1(1.0f));
  p = F::fmadd(p, r, F::set1(1.0f));
  using I = typename F::I;
  const V scale = F::bits(F::slli32_23(I::add32(F::to_i32(n), I::set1_32(127))));
  return F::andnot(tiny, F::mul(p, scale));
}

// softmax_inplace with a polynomial exp; the sum is kept in double like the reference. A tail
// shorter than one vector goes through a padded copy (padding -inf -> 0).
template <class F>
void softmax_simd(float* x, int64_t n) {
  using V = typename F::V;
  constexpr int N = F::N;
  if (n <= 0) return;
  const float neg_inf = -HUGE_VALF;  // -infinity (IEEE float)
  V vmax = F::set1(neg_inf);
  int64_t i = 0;
  for (; i + N <= n; i += N) vmax = F::max_ignore_nan(F::load(x + i), vmax);
  float mx = F::hmax(vmax);
  for (int64_t j = i; j < n; ++j) mx = fmax_keep(mx, x[j]);
  if (mx == neg_inf) {
    for (int64_t j = 0; j < n; ++j) x[j] = 0.0f;
    return;
  }
  const V m = F::set1(mx);
  typename F::D sum = F::dzero();
  for (i = 0; i + N <= n; i += N) {
    const V e = exp_nonpositive<F>(F::sub(F::load(x + i), m));
    F::store(x + i, e);
    sum = F::dadd(sum, e);
  }
  float tail[N];
  const int64_t rest = n - i;
  if (rest > 0) {
    for (int j = 0; j < N; ++j) tail[j] = j < rest ? x[i + j] : neg_inf;
    const V e = exp_nonpositive<F>(F::sub(F::load(tail), m));
    F::store(tail, e);
    sum = F::dadd(sum, e);
  }
  const V inv = F::set1(static_cast<float>(1.0 / F::dhsum(sum)));
  for (i = 0; i + N <= n; i += N) F::store(x + i, F::mul(F::load(x + i), inv));
  for (int64_t j = 0; j < rest; ++j) x[i + j] = tail[j] * static_cast<float>(1.0 / F::dhsum(sum));
}

}  // namespace
}  // namespace tern::kernels
