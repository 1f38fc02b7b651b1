// AArch64 NEON traits for the generic kernels of kernels/simd/: INeon / INeonDot (integer
// vectors with the ternary hooks; the second uses the ARMv8.2 dot-product instructions) and
// FNeonT (float vectors). Included only by kernels/arm/kernels_*.cpp. Same rules as
// kernels/x86/x86_simd.h: internal linkage, no standard-library templates.
//
// The kernel tests check them bit for bit against the scalar references like every level: natively
// on AArch64, and on x86 hosts cross-built and run under qemu-user (ctest kernels.aarch64).
#pragma once

#include <arm_neon.h>

#include <cstdint>
#include <cstring>

namespace tern::kernels {
namespace {

struct INeon {
  using V = uint8x16_t;
  using V32 = int32x4_t;
  static constexpr int kBytes = 16;
  static V load(const void* p) { return vld1q_u8(static_cast<const uint8_t*>(p)); }
  static void store(void* p, V v) { vst1q_u8(static_cast<uint8_t*>(p), v); }
  static V zero() { return vdupq_n_u8(0); }
  static V xor_(V a, V b) { return veorq_u8(a, b); }
  static uint64_t fold64(V v) {
    const uint64x2_t w = vreinterpretq_u64_u8(v);
    return vgetq_lane_u64(w, 0) ^ vgetq_lane_u64(w, 1);
  }
  static V32 zero32() { return vdupq_n_s32(0); }
  static V32 set1_32(int32_t v) { return vdupq_n_s32(v); }
  static V32 and32(V32 a, V32 b) { return vandq_s32(a, b); }
  static V32 add32(V32 a, V32 b) { return vaddq_s32(a, b); }
  static V32 min32(V32 a, V32 b) { return vminq_s32(a, b); }
  static V32 max32(V32 a, V32 b) { return vmaxq_s32(a, b); }
  static int32_t hsum32(V32 v) { return vaddvq_s32(v); }
  // Four vectors of int32 already within [-128, 127] -> one vector of int8, in order.
  static V pack_i8(V32 a, V32 b, V32 c, V32 d) {
    const int16x8_t ab = vcombine_s16(vqmovn_s32(a), vqmovn_s32(b));
    const int16x8_t cd = vcombine_s16(vqmovn_s32(c), vqmovn_s32(d));
    return vreinterpretq_u8_s8(vcombine_s8(vqmovn_s16(ab), vqmovn_s16(cd)));
  }
  // Σ w·x of int8 vectors as int32 partial sums (int16 products, pairwise widened).
  static V32 dot_i8(V w, V x) {
    const int8x16_t ws = vreinterpretq_s8_u8(w), xs = vreinterpretq_s8_u8(x);
    const int16x8_t lo = vmull_s8(vget_low_s8(ws), vget_low_s8(xs));
    const int16x8_t hi = vmull_high_s8(ws, xs);
    return vpadalq_s16(vpaddlq_s16(lo), hi);
  }

  // ---- ternary hooks (kernels/simd/ternary_simd.h) ----
  static V canonical(V x) {  // code 3 -> code 1: clear bit 2i+1 where bits 2i and 2i+1 are set
    const V both = vandq_u8(vandq_u8(vshrq_n_u8(x, 1), x), vdupq_n_u8(0x55));
    return veorq_u8(x, vaddq_u8(both, both));
  }
  static void decode(V x, V* c) {  // 8-bit shifts: the top field needs no mask
    const V m3 = vdupq_n_u8(3);
    c[0] = vshrq_n_u8(x, 6);
    c[1] = vandq_u8(vshrq_n_u8(x, 4), m3);
    c[2] = vandq_u8(vshrq_n_u8(x, 2), m3);
    c[3] = vandq_u8(x, m3);
  }
  // smlal: one product (|p| <= 2·128) per int16 lane per field and half-vector; a block is two
  // 16-byte vectors x 4 fields = 8 products per lane, |block| <= 2048, so 16 blocks fit int16
  // exactly (-32768 .. 32512).
  struct Acc {
    int16x8_t lo, hi;
  };
  static constexpr int64_t kFlushBlocks = 16;
  static Acc acc_zero() { return {vdupq_n_s16(0), vdupq_n_s16(0)}; }
  static void mac(Acc& acc, const V* c, const int8_t* a) {
    for (int f = 0; f < 4; ++f) {
      const int8x16_t cs = vreinterpretq_s8_u8(c[f]), as = vld1q_s8(a + 32 * f);
      acc.lo = vmlal_s8(acc.lo, vget_low_s8(cs), vget_low_s8(as));
      acc.hi = vmlal_high_s8(acc.hi, cs, as);
    }
  }
  static V32 flush(Acc acc) { return vpadalq_s16(vpaddlq_s16(acc.lo), acc.hi); }
};

#if defined(__ARM_FEATURE_DOTPROD)
// sdot accumulates four int8 products per int32 lane directly (exact), in two chains.
struct INeonDot : INeon {
  static V32 dot_i8(V w, V x) { return vdotq_s32(vdupq_n_s32(0), vreinterpretq_s8_u8(w), vreinterpretq_s8_u8(x)); }
  struct Acc {
    int32x4_t a, b;
  };
  static constexpr int64_t kFlushBlocks = 16;  // any would do; keeps the GEMM slices whole
  static Acc acc_zero() { return {vdupq_n_s32(0), vdupq_n_s32(0)}; }
  static void mac(Acc& acc, const V* c, const int8_t* a) {
    acc.a = vdotq_s32(acc.a, vreinterpretq_s8_u8(c[0]), vld1q_s8(a));
    acc.b = vdotq_s32(acc.b, vreinterpretq_s8_u8(c[1]), vld1q_s8(a + 32));
    acc.a = vdotq_s32(acc.a, vreinterpretq_s8_u8(c[2]), vld1q_s8(a + 64));
    acc.b = vdotq_s32(acc.b, vreinterpretq_s8_u8(c[3]), vld1q_s8(a + 96));
  }
  static V32 flush(Acc acc) { return vaddq_s32(acc.a, acc.b); }
};
#endif

// Float traits; IT is the integer traits whose dot_i8 the Q8_0 kernel uses. Comparisons follow
// x86 semantics (max(a, b) = a > b ? a : b, so a NaN in a yields b) so that the generic kernels
// behave the same on both architectures.
template <class IT>
struct FNeonT {
  using V = float32x4_t;
  using I = IT;
  static constexpr int N = 4;
  static V load(const float* p) { return vld1q_f32(p); }
  static void store(float* p, V v) { vst1q_f32(p, v); }
  static V zero() { return vdupq_n_f32(0.0f); }
  static V set1(float v) { return vdupq_n_f32(v); }
  static V add(V a, V b) { return vaddq_f32(a, b); }
  static V sub(V a, V b) { return vsubq_f32(a, b); }
  static V mul(V a, V b) { return vmulq_f32(a, b); }
  static V fmadd(V a, V b, V c) { return vfmaq_f32(c, a, b); }
  static V max_ignore_nan(V a, V b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
  static V max(V a, V b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
  static V min(V a, V b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
  static V abs(V a) { return vabsq_f32(a); }
  static V mask(uint32x4_t m) { return vreinterpretq_f32_u32(m); }
  static V lt(V a, V b) { return mask(vcltq_f32(a, b)); }
  static V ge(V a, V b) { return mask(vcgeq_f32(a, b)); }
  static V ordered(V a) { return mask(vceqq_f32(a, a)); }
  static uint32x4_t u(V a) { return vreinterpretq_u32_f32(a); }
  static V and_(V a, V b) { return mask(vandq_u32(u(a), u(b))); }
  static V or_(V a, V b) { return mask(vorrq_u32(u(a), u(b))); }
  static V andnot(V m, V a) { return mask(vbicq_u32(u(a), u(m))); }
  static V round_nearest(V a) { return vrndnq_f32(a); }
  static V trunc(V a) { return vrndq_f32(a); }
  static int32x4_t to_i32(V a) { return vcvtq_s32_f32(a); }  // a already integral
  static V from_i32(int32x4_t a) { return vcvtq_f32_s32(a); }
  static V bits(int32x4_t a) { return vreinterpretq_f32_s32(a); }
  static int32x4_t as_int(V a) { return vreinterpretq_s32_f32(a); }
  static int32x4_t slli32_23(int32x4_t a) { return vshlq_n_s32(a, 23); }
  static float hsum(V v) { return vaddvq_f32(v); }
  static float hmax(V v) {  // lanes hold no NaN where this is used (max_ignore_nan before)
    const float32x2_t m = vmax_f32(vget_low_f32(v), vget_high_f32(v));
    return vget_lane_f32(vpmax_f32(m, m), 0);
  }
  static V load_f16(const uint16_t* p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))); }
  using D = float64x2_t;
  static D dzero() { return vdupq_n_f64(0.0); }
  static D dadd(D acc, V v) { return vaddq_f64(vaddq_f64(acc, vcvt_f64_f32(vget_low_f32(v))), vcvt_high_f64_f32(v)); }
  static double dhsum(D d) { return vgetq_lane_f64(d, 0) + vgetq_lane_f64(d, 1); }
};

}  // namespace
}  // namespace tern::kernels
