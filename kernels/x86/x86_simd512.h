// AVX-512 float traits (F512) for the generic float kernels of kernels/simd/float_simd.h. Included only by
// the AVX-512 translation units. Same rules as x86_simd.h: internal linkage, no std templates.
#pragma once

#include "kernels/x86/x86_simd.h"

namespace tern::kernels {
namespace {

// Only what the float kernels use of an integer vector (the exponent trick in exp).
struct I512 {
  using V = __m512i;
  using V32 = __m512i;
  static V set1_32(int32_t v) { return _mm512_set1_epi32(v); }
  static V add32(V a, V b) { return _mm512_add_epi32(a, b); }
};

struct F512 {
  using V = __m512;
  using I = I512;
  static constexpr int N = 16;
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V zero() { return _mm512_setzero_ps(); }
  static V set1(float v) { return _mm512_set1_ps(v); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V max(V a, V b) { return _mm512_max_ps(a, b); }
  static V max_ignore_nan(V a, V b) { return _mm512_max_ps(a, b); }  // b if either is NaN
  static V abs(V a) { return _mm512_abs_ps(a); }
  static V lt(V a, V b) { return _mm512_castsi512_ps(_mm512_movm_epi32(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ))); }
  static V andnot(V mask, V a) { return _mm512_andnot_ps(mask, a); }
  static V round_nearest(V a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static I::V to_i32(V a) { return _mm512_cvtps_epi32(a); }
  static V from_i32(I::V a) { return _mm512_cvtepi32_ps(a); }
  static V bits(I::V a) { return _mm512_castsi512_ps(a); }
  static I::V as_int(V a) { return _mm512_castps_si512(a); }
  static I::V slli32_23(I::V a) { return _mm512_slli_epi32(a, 23); }
  static float hsum(V v) {
    return F256::hsum(_mm256_add_ps(_mm512_castps512_ps256(v),
                                    _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))));
  }
  static float hmax(V v) {
    return F256::hmax(_mm256_max_ps(_mm512_castps512_ps256(v),
                                    _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))));
  }
  static V load_f16(const uint16_t* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  using D = __m512d;
  static D dzero() { return _mm512_setzero_pd(); }
  static D dadd(D acc, V v) {
    const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
    return _mm512_add_pd(_mm512_add_pd(acc, _mm512_cvtps_pd(_mm512_castps512_ps256(v))), _mm512_cvtps_pd(hi));
  }
  static double dhsum(D d) {
    double t[8];
    _mm512_storeu_pd(t, d);
    return ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]));
  }
};

}  // namespace
}  // namespace tern::kernels
