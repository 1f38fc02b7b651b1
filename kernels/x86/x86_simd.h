// x86 traits for the generic kernels of kernels/simd/: I128/I256 (integer vectors, with the
// ternary hooks; I256Vnni with AVX-VNNI) and F128/F256 (float vectors).
//
// Included only by the per-level translation units (kernels/x86/kernels_*.cpp), each compiled
// with its own -m flags. Everything here has internal linkage (anonymous namespace) and no
// standard-library templates are used in those units: an inline function instantiated with AVX2
// flags must never be merged by the linker with a copy that older CPUs execute.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/fp16.h"

namespace tern::kernels {
namespace {

inline float max_f(float a, float b) { return a < b ? b : a; }  // std::max(a, b) semantics

// ---------------------------------------------------------------------------------- 128-bit
struct I128 {
  using V = __m128i;
  using V32 = __m128i;
  static constexpr int kBytes = 16;
  static V load(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }
  static void store(void* p, V v) { _mm_storeu_si128(static_cast<__m128i*>(p), v); }
  static V zero() { return _mm_setzero_si128(); }
  static V xor_(V a, V b) { return _mm_xor_si128(a, b); }
  static uint64_t fold64(V v) {
    return static_cast<uint64_t>(_mm_cvtsi128_si64(v)) ^ static_cast<uint64_t>(_mm_extract_epi64(v, 1));
  }
  // 32-bit lanes
  static V32 zero32() { return _mm_setzero_si128(); }
  static V32 set1_32(int32_t v) { return _mm_set1_epi32(v); }
  static V32 and32(V32 a, V32 b) { return _mm_and_si128(a, b); }
  static V32 add32(V32 a, V32 b) { return _mm_add_epi32(a, b); }
  static V32 min32(V32 a, V32 b) { return _mm_min_epi32(a, b); }
  static V32 max32(V32 a, V32 b) { return _mm_max_epi32(a, b); }
  static int32_t hsum32(V32 v) {
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(v);
  }
  // Four vectors of int32 already within [-128, 127] -> one vector of int8, in order.
  static V pack_i8(V32 a, V32 b, V32 c, V32 d) { return _mm_packs_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(c, d)); }
  // Σ w·x of int8 vectors (x within ±127) as int32 partial sums: |w| x sign(x, w) with pmaddubsw
  // (|pair| <= 2·128·127 fits int16), widened with pmaddwd.
  static V32 dot_i8(V w, V x) { return _mm_madd_epi16(_mm_maddubs_epi16(_mm_abs_epi8(w), _mm_sign_epi8(x, w)), _mm_set1_epi16(1)); }

  // ---- ternary hooks (kernels/simd/ternary_simd.h) ----
  // Bit 2i of `both` is set where bits 2i and 2i+1 are (code 3); flipping bit 2i+1 makes it
  // code 1. The 16-bit shift leaks bit 8 into bit 7, which 0x55 drops.
  static V canonical(V x) {
    const V both = _mm_and_si128(_mm_and_si128(_mm_srli_epi16(x, 1), x), _mm_set1_epi8(0x55));
    return _mm_xor_si128(x, _mm_add_epi8(both, both));
  }
  static void decode(V x, V* c) {
    const V m3 = _mm_set1_epi8(3);
    c[0] = _mm_and_si128(_mm_srli_epi16(x, 6), m3);  // bits 7..6
    c[1] = _mm_and_si128(_mm_srli_epi16(x, 4), m3);
    c[2] = _mm_and_si128(_mm_srli_epi16(x, 2), m3);
    c[3] = _mm_and_si128(x, m3);
  }
  // pmaddubsw pairs: |pair| <= 2·2·128 = 512; a 16-byte vector covers half a 32-byte block, so a
  // block adds 2·4 pairs per lane: |block| <= 4096 and 8 blocks fit int16 (-32768 .. 32512).
  using Acc = __m128i;
  static constexpr int64_t kFlushBlocks = 8;
  static Acc acc_zero() { return _mm_setzero_si128(); }
  static void mac(Acc& acc, const V* c, const int8_t* a) {
    const V s01 = _mm_add_epi16(_mm_maddubs_epi16(c[0], load(a)), _mm_maddubs_epi16(c[1], load(a + 32)));
    const V s23 = _mm_add_epi16(_mm_maddubs_epi16(c[2], load(a + 64)), _mm_maddubs_epi16(c[3], load(a + 96)));
    acc = _mm_add_epi16(acc, _mm_add_epi16(s01, s23));
  }
  // One field: one vector of codes times one vector of activations.
  static void mac1(Acc& acc, V c, V a) { acc = _mm_add_epi16(acc, _mm_maddubs_epi16(c, a)); }
  // An empty asm that makes the accumulator live in a register here: without it GCC reassociates
  // a register tile's adds across fields into trees of temporaries and spills them.
#if defined(__GNUC__) || defined(__clang__)
  static void pin(Acc& acc) { __asm__("" : "+x"(acc)); }
#else
  static void pin(Acc&) {}  // MSVC has no GCC-style asm (and its own register allocation)
#endif
  static V32 flush(Acc acc) { return _mm_madd_epi16(acc, _mm_set1_epi16(1)); }

  // The GEMV's decode (ternary_simd.h, ternary_tile): one shift instead of three. Fields 0 and 2
  // are masked where they lie (bits 3..2 after and before a shift by 4), so their codes come out
  // times 4 and are summed in their own accumulator, divided by 4 at the flush. Codes times 4 are
  // at most 8: |pair| <= 2·8·128 = 2048, a block adds 2 fields · 2 halves per lane, so 4 blocks
  // fit int16 (the times-1 accumulator takes a quarter of that).
  static constexpr bool kInplaceFields = true;
  struct Acc2 {
    __m128i one, four;
  };
  static constexpr int64_t kFlushBlocks2 = 4;
  static Acc2 acc2_zero() { return {_mm_setzero_si128(), _mm_setzero_si128()}; }
  static void decode_inplace(V x, V* c) {  // c[f]: field f's codes, times 4 for f = 0, 2
    const V m3 = _mm_set1_epi8(3), m12 = _mm_set1_epi8(12);
    const V y = _mm_srli_epi16(x, 4);
    c[0] = _mm_and_si128(y, m12);
    c[1] = _mm_and_si128(y, m3);
    c[2] = _mm_and_si128(x, m12);
    c[3] = _mm_and_si128(x, m3);
  }
  static void mac_inplace(Acc2& acc, const V* c, const int8_t* a) {
    acc.four = _mm_add_epi16(acc.four, _mm_add_epi16(_mm_maddubs_epi16(c[0], load(a)), _mm_maddubs_epi16(c[2], load(a + 64))));
    acc.one = _mm_add_epi16(acc.one, _mm_add_epi16(_mm_maddubs_epi16(c[1], load(a + 32)), _mm_maddubs_epi16(c[3], load(a + 96))));
  }
  // acc.four holds 4x its fields' sums, a multiple of 4 in every lane: the shift is exact, and
  // each accumulator holds at most 8128 in magnitude (-8192 with -128 activations), so the sum
  // fits int16 before the widening.
  static V32 flush2(Acc2 acc) {
    return _mm_madd_epi16(_mm_add_epi16(acc.one, _mm_srai_epi16(acc.four, 2)), _mm_set1_epi16(1));
  }
};

struct F128 {
  using V = __m128;
  using I = I128;
  static constexpr int N = 4;
  static V load(const float* p) { return _mm_loadu_ps(p); }
  static void store(float* p, V v) { _mm_storeu_ps(p, v); }
  static V zero() { return _mm_setzero_ps(); }
  static V set1(float v) { return _mm_set1_ps(v); }
  static V add(V a, V b) { return _mm_add_ps(a, b); }
  static V sub(V a, V b) { return _mm_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm_mul_ps(a, b); }
  static V fmadd(V a, V b, V c) { return _mm_add_ps(_mm_mul_ps(a, b), c); }  // no FMA at this level
  static V max_ignore_nan(V a, V b) { return _mm_max_ps(a, b); }  // b if either is NaN
  static V max(V a, V b) { return _mm_max_ps(a, b); }
  static V min(V a, V b) { return _mm_min_ps(a, b); }
  static V abs(V a) { return _mm_and_ps(a, _mm_castsi128_ps(_mm_set1_epi32(0x7FFFFFFF))); }
  static V lt(V a, V b) { return _mm_cmplt_ps(a, b); }
  static V ge(V a, V b) { return _mm_cmpge_ps(a, b); }
  static V ordered(V a) { return _mm_cmpord_ps(a, a); }  // all-ones where a is not NaN
  static V and_(V a, V b) { return _mm_and_ps(a, b); }
  static V or_(V a, V b) { return _mm_or_ps(a, b); }
  static V andnot(V mask, V a) { return _mm_andnot_ps(mask, a); }
  static V round_nearest(V a) { return _mm_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static V trunc(V a) { return _mm_round_ps(a, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC); }
  static I::V32 to_i32(V a) { return _mm_cvtps_epi32(a); }  // a already integral
  static V from_i32(I::V32 a) { return _mm_cvtepi32_ps(a); }
  static V bits(I::V32 a) { return _mm_castsi128_ps(a); }
  static I::V32 as_int(V a) { return _mm_castps_si128(a); }
  static I::V32 slli32_23(I::V32 a) { return _mm_slli_epi32(a, 23); }
  static float hsum(V v) {
    v = _mm_add_ps(v, _mm_movehl_ps(v, v));
    v = _mm_add_ss(v, _mm_shuffle_ps(v, v, 1));
    return _mm_cvtss_f32(v);
  }
  static float hmax(V v) {
    v = _mm_max_ps(v, _mm_movehl_ps(v, v));
    v = _mm_max_ss(v, _mm_shuffle_ps(v, v, 1));
    return _mm_cvtss_f32(v);
  }
  // Exact fp16 -> float without F16C: shift exponent and mantissa into place and rescale by
  // 2^112 (exact for normal and subnormal halves); inf/NaN get the all-ones exponent directly.
  static V load_f16(const uint16_t* p) {
    const __m128i h = _mm_cvtepu16_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
    const __m128i em = _mm_slli_epi32(_mm_and_si128(h, _mm_set1_epi32(0x7FFF)), 13);
    const __m128i sign = _mm_slli_epi32(_mm_and_si128(h, _mm_set1_epi32(0x8000)), 16);
    const __m128 finite = _mm_mul_ps(_mm_castsi128_ps(em), _mm_set1_ps(5.192296858534828e+33f));  // 2^112
    const __m128 special = _mm_castsi128_ps(_mm_add_epi32(em, _mm_set1_epi32(0x70000000)));
    const __m128i is_special = _mm_cmpeq_epi32(_mm_and_si128(h, _mm_set1_epi32(0x7C00)), _mm_set1_epi32(0x7C00));
    const __m128 v = _mm_blendv_ps(finite, special, _mm_castsi128_ps(is_special));
    return _mm_or_ps(v, _mm_castsi128_ps(sign));
  }
  // Double accumulation of the lanes (softmax sums).
  using D = __m128d;
  static D dzero() { return _mm_setzero_pd(); }
  static D dadd(D acc, V v) {
    return _mm_add_pd(_mm_add_pd(acc, _mm_cvtps_pd(v)), _mm_cvtps_pd(_mm_movehl_ps(v, v)));
  }
  static double dhsum(D d) {
    double t[2];
    _mm_storeu_pd(t, d);
    return t[0] + t[1];
  }
};

#if defined(__AVX2__)
// ---------------------------------------------------------------------------------- 256-bit
struct I256 {
  using V = __m256i;
  using V32 = __m256i;
  static constexpr int kBytes = 32;
  static V load(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
  static void store(void* p, V v) { _mm256_storeu_si256(static_cast<__m256i*>(p), v); }
  static V zero() { return _mm256_setzero_si256(); }
  static V xor_(V a, V b) { return _mm256_xor_si256(a, b); }
  static uint64_t fold64(V v) {
    return I128::fold64(_mm_xor_si128(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)));
  }
  static V32 zero32() { return _mm256_setzero_si256(); }
  static V32 set1_32(int32_t v) { return _mm256_set1_epi32(v); }
  static V32 and32(V32 a, V32 b) { return _mm256_and_si256(a, b); }
  static V32 add32(V32 a, V32 b) { return _mm256_add_epi32(a, b); }
  static V32 min32(V32 a, V32 b) { return _mm256_min_epi32(a, b); }
  static V32 max32(V32 a, V32 b) { return _mm256_max_epi32(a, b); }
  static int32_t hsum32(V32 v) {
    return I128::hsum32(_mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)));
  }
  // packs work within 128-bit lanes; the final permute restores element order.
  static V pack_i8(V32 a, V32 b, V32 c, V32 d) {
    const V p = _mm256_packs_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
    return _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  }
  static V32 dot_i8(V w, V x) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_abs_epi8(w), _mm256_sign_epi8(x, w)), _mm256_set1_epi16(1));
  }

  // ---- ternary hooks ----
  static V canonical(V x) {  // as I128::canonical
    const V both = _mm256_and_si256(_mm256_and_si256(_mm256_srli_epi16(x, 1), x), _mm256_set1_epi8(0x55));
    return _mm256_xor_si256(x, _mm256_add_epi8(both, both));
  }
  static void decode(V x, V* c) {
    const V m3 = _mm256_set1_epi8(3);
    c[0] = _mm256_and_si256(_mm256_srli_epi16(x, 6), m3);
    c[1] = _mm256_and_si256(_mm256_srli_epi16(x, 4), m3);
    c[2] = _mm256_and_si256(_mm256_srli_epi16(x, 2), m3);
    c[3] = _mm256_and_si256(x, m3);
  }
  // A whole block per vector: 4 pairs per lane, |block| <= 2048, 16 blocks fit int16 exactly.
  using Acc = __m256i;
  static constexpr int64_t kFlushBlocks = 16;
  static Acc acc_zero() { return _mm256_setzero_si256(); }
  static void mac(Acc& acc, const V* c, const int8_t* a) {
    const V s01 = _mm256_add_epi16(_mm256_maddubs_epi16(c[0], load(a)), _mm256_maddubs_epi16(c[1], load(a + 32)));
    const V s23 = _mm256_add_epi16(_mm256_maddubs_epi16(c[2], load(a + 64)), _mm256_maddubs_epi16(c[3], load(a + 96)));
    acc = _mm256_add_epi16(acc, _mm256_add_epi16(s01, s23));
  }
  static void mac1(Acc& acc, V c, V a) { acc = _mm256_add_epi16(acc, _mm256_maddubs_epi16(c, a)); }
#if defined(__GNUC__) || defined(__clang__)
  static void pin(Acc& acc) { __asm__("" : "+x"(acc)); }  // as I128::pin
#else
  static void pin(Acc&) {}
#endif
  static V32 flush(Acc acc) { return _mm256_madd_epi16(acc, _mm256_set1_epi16(1)); }

  // As I128's in-place decode; a whole block per vector: 2 fields per lane per block, 8 blocks.
  static constexpr bool kInplaceFields = true;
  struct Acc2 {
    __m256i one, four;
  };
  static constexpr int64_t kFlushBlocks2 = 8;
  static Acc2 acc2_zero() { return {_mm256_setzero_si256(), _mm256_setzero_si256()}; }
  static void decode_inplace(V x, V* c) {
    const V m3 = _mm256_set1_epi8(3), m12 = _mm256_set1_epi8(12);
    const V y = _mm256_srli_epi16(x, 4);
    c[0] = _mm256_and_si256(y, m12);
    c[1] = _mm256_and_si256(y, m3);
    c[2] = _mm256_and_si256(x, m12);
    c[3] = _mm256_and_si256(x, m3);
  }
  static void mac_inplace(Acc2& acc, const V* c, const int8_t* a) {
    acc.four = _mm256_add_epi16(acc.four,
                                _mm256_add_epi16(_mm256_maddubs_epi16(c[0], load(a)), _mm256_maddubs_epi16(c[2], load(a + 64))));
    acc.one = _mm256_add_epi16(acc.one,
                               _mm256_add_epi16(_mm256_maddubs_epi16(c[1], load(a + 32)), _mm256_maddubs_epi16(c[3], load(a + 96))));
  }
  static V32 flush2(Acc2 acc) {  // as I128::flush2
    return _mm256_madd_epi16(_mm256_add_epi16(acc.one, _mm256_srai_epi16(acc.four, 2)), _mm256_set1_epi16(1));
  }
};

#if defined(__AVXVNNI__) || (defined(__AVX512VNNI__) && defined(__AVX512VL__))
// vpdpbusd accumulates unsigned x signed byte products straight into int32 (exact, no period),
// in two chains so consecutive instructions do not wait on each other.
inline __m256i dpbusd256(__m256i acc, __m256i u, __m256i s) {
#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
  return _mm256_dpbusd_epi32(acc, u, s);
#else
  return _mm256_dpbusd_avx_epi32(acc, u, s);
#endif
}
struct I256Vnni : I256 {
  static constexpr bool kInplaceFields = false;  // vpdpbusd needs no int16 period: the plain decode
  struct Acc {
    __m256i a, b;
  };
  static constexpr int64_t kFlushBlocks = 16;  // any would do; keeps the GEMM slices whole
  static Acc acc_zero() { return {_mm256_setzero_si256(), _mm256_setzero_si256()}; }
  static void mac(Acc& acc, const V* c, const int8_t* a) {
    acc.a = dpbusd256(dpbusd256(acc.a, c[0], load(a)), c[2], load(a + 64));
    acc.b = dpbusd256(dpbusd256(acc.b, c[1], load(a + 32)), c[3], load(a + 96));
  }
  // One chain per (row, token) tile entry: the tile itself supplies the independent chains.
  static void mac1(Acc& acc, V c, V a) { acc.a = dpbusd256(acc.a, c, a); }
#if defined(__GNUC__) || defined(__clang__)
  static void pin(Acc& acc) { __asm__("" : "+x"(acc.a)); }  // acc.b stays zero here
#else
  static void pin(Acc&) {}
#endif
  static V32 flush(Acc acc) { return _mm256_add_epi32(acc.a, acc.b); }
};
#endif

struct F256 {
  using V = __m256;
  using I = I256;
  static constexpr int N = 8;
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V zero() { return _mm256_setzero_ps(); }
  static V set1(float v) { return _mm256_set1_ps(v); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V max_ignore_nan(V a, V b) { return _mm256_max_ps(a, b); }  // b if either is NaN
  static V max(V a, V b) { return _mm256_max_ps(a, b); }
  static V min(V a, V b) { return _mm256_min_ps(a, b); }
  static V abs(V a) { return _mm256_and_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF))); }
  static V lt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static V ge(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
  static V ordered(V a) { return _mm256_cmp_ps(a, a, _CMP_ORD_Q); }
  static V and_(V a, V b) { return _mm256_and_ps(a, b); }
  static V or_(V a, V b) { return _mm256_or_ps(a, b); }
  static V andnot(V mask, V a) { return _mm256_andnot_ps(mask, a); }
  static V round_nearest(V a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static V trunc(V a) { return _mm256_round_ps(a, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC); }
  static I::V32 to_i32(V a) { return _mm256_cvtps_epi32(a); }
  static V from_i32(I::V32 a) { return _mm256_cvtepi32_ps(a); }
  static V bits(I::V32 a) { return _mm256_castsi256_ps(a); }
  static I::V32 as_int(V a) { return _mm256_castps_si256(a); }
  static I::V32 slli32_23(I::V32 a) { return _mm256_slli_epi32(a, 23); }
  static float hsum(V v) { return F128::hsum(_mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1))); }
  static float hmax(V v) { return F128::hmax(_mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1))); }
  static V load_f16(const uint16_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  using D = __m256d;
  static D dzero() { return _mm256_setzero_pd(); }
  static D dadd(D acc, V v) {
    return _mm256_add_pd(_mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_castps256_ps128(v))),
                         _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
  }
  static double dhsum(D d) {
    double t[4];
    _mm256_storeu_pd(t, d);
    return (t[0] + t[1]) + (t[2] + t[3]);
  }
};
#endif

}  // namespace
}  // namespace tern::kernels
