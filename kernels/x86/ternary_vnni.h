// Ternary x int8 GEMM (prompt processing) on I2S_R4 weights with vpdpbusd: the avx512vnni
// level's (512-bit row pairs, _mm512_dpbusd_epi32), written over a small vector-traits struct
// (Vnni512). Included only by that translation unit. A 256-bit variant (one row x 8 tokens,
// _mm256_dpbusd_avx_epi32) was measured for the avxvnni level on Zen 5 and was no faster than
// the generic r4 kernel with I256Vnni (vpdpbusd in mac1, kernels/x86/x86_simd.h), which that
// level keeps.
//
// Maths: as in kernels/simd/ternary_simd.h, the 2-bit codes c = w + 1 (0, 1, 2) are the unsigned
// operand and the int8 activations the signed one; Σq is subtracted at the end (ternary_store).
// vpdpbusd adds four u8 x s8 products straight into an int32 lane, without saturation: each
// product is within [-256, 254] and a lane (8 per row) collects K/8 of them, so
// |lane| <= 32·K, and the row total |Σ c·q| <= 256·K: exact in int32 for any
// K < 8 M (2B4T: K <= 6912). Hence results bit-identical to the scalar reference.
//
// Why a kernel of its own rather than the row-pair GEMM of ternary_avx512.h: with vpdpbusd one
// instruction replaces pmaddubsw + paddw, so the tile's fixed costs weigh twice as much — the
// decode (a shift and an AND per field per vector, shared by the tile's tokens) and the
// horizontal sums of the accumulators. Here the accumulators are int32 from the start, so they
// stay in registers over a whole slice of K (kVnniSliceBlocks, longer than the int16 kernels'
// period) and are summed once per slice; and the 512-bit level has 32 registers for a tile of
// both row pairs of a row group x 8 tokens (one 64-byte load per pair, one
// activation broadcast shared by both pairs).
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/ternary_gemm.h"

namespace tern::kernels {
namespace {

inline int64_t vnni_min(int64_t a, int64_t b) { return a < b ? a : b; }

#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
// A vector holds the same field of one 32-byte block for a pair of rows (rows 2p, 2p+1 of the
// group: adjacent in I2S_R4, one load); each activation slice is broadcast to both halves.
struct Vnni512 {
  using V = __m512i;
  static constexpr int kRowsPerVec = 2;
  static V m3() { return _mm512_set1_epi8(3); }
  static V load_w(const uint8_t* p) { return _mm512_loadu_si512(p); }
  static V load_a(const int8_t* p) {
    return _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static V zero() { return _mm512_setzero_si512(); }
  template <int kShift>
  static V field(V x, V m3) {
    if constexpr (kShift == 0) return _mm512_and_si512(x, m3);
    else return _mm512_and_si512(_mm512_srli_epi16(x, kShift), m3);
  }
  static V dp(V acc, V c, V a) { return _mm512_dpbusd_epi32(acc, c, a); }
  // Adds the low half's lane sum to out[0] and the high half's to out[ld].
  static void hsum_add(V acc, int32_t* out, int64_t ld) {
    const __m256i lo = _mm512_castsi512_si256(acc), hi = _mm512_extracti64x4_epi64(acc, 1);
    // Both halves reduced together: [lo0+lo1 quarters | hi0+hi1 quarters] in one xmm pair.
    const __m256i s = _mm256_add_epi32(_mm256_permute2x128_si256(lo, hi, 0x20), _mm256_permute2x128_si256(lo, hi, 0x31));
    __m256i t = _mm256_add_epi32(s, _mm256_shuffle_epi32(s, 0x4E));
    t = _mm256_add_epi32(t, _mm256_shuffle_epi32(t, 0xB1));
    out[0] += _mm256_cvtsi256_si32(t);
    out[ld] += _mm_cvtsi128_si32(_mm256_extracti128_si256(t, 1));
  }
};
#endif


template <int N>
struct VnniShift {
  static constexpr int value = N;
};

// One field of a block for the tile below: decode P vectors of codes (shared by T tokens), then
// P x T vpdpbusd, each activation load (or broadcast) shared by the P vectors. Field f is bits
// 7-2f..6-2f of every byte and covers the block's values f*32 .. f*32+31.
template <class VT, int P, int T, int kShift>
inline void vnni_field(const typename VT::V* x, typename VT::V m3, const int8_t* a_block, typename VT::V (&acc)[P][T]) {
  using V = typename VT::V;
  V c[P];
  for (int p = 0; p < P; ++p) c[p] = VT::template field<kShift>(x[p], m3);
  const int8_t* a = a_block + (6 - kShift) / 2 * 32;
  for (int t = 0; t < T; ++t) {
    const V at = VT::load_a(a + t * 128);
    for (int p = 0; p < P; ++p) acc[p][t] = VT::dp(acc[p][t], c[p], at);
  }
}

// Adds Σ code·q over nb blocks for P vectors' rows (P·kRowsPerVec consecutive rows of one
// group, from w = their first block, block stride 128) x T tokens to out[row * ld + t]. act
// holds the tile's activations block-interleaved: token t's block b at act + (b*T + t)*128.
template <class VT, int P, int T>
inline void vnni_tile(const uint8_t* w, int64_t nb, const int8_t* act, int32_t* out, int64_t ld) {
  using V = typename VT::V;
  constexpr int kVecBytes = 32 * VT::kRowsPerVec;
  const V m3 = VT::m3();
  V acc[P][T];
  for (int p = 0; p < P; ++p)
    for (int t = 0; t < T; ++t) acc[p][t] = VT::zero();
  for (int64_t b = 0; b < nb; ++b) {
    V x[P];
    for (int p = 0; p < P; ++p) x[p] = VT::load_w(w + b * 128 + p * kVecBytes);
    const int8_t* a = act + b * T * 128;
    vnni_field<VT, P, T, 6>(x, m3, a, acc);
    vnni_field<VT, P, T, 4>(x, m3, a, acc);
    vnni_field<VT, P, T, 2>(x, m3, a, acc);
    vnni_field<VT, P, T, 0>(x, m3, a, acc);
  }
  for (int p = 0; p < P; ++p)
    for (int t = 0; t < T; ++t) VT::hsum_add(acc[p][t], out + p * VT::kRowsPerVec * ld + t, ld);
}

// Blocks per slice of K: the tile's activations (kVnniSliceBlocks x T x 128 bytes, 32 KiB for
// T = 8) stay in L1 and the slab's weights over the slice (64 rows x 1 KiB) in L2, while the
// accumulators' horizontal sums are paid once per slice.
constexpr int64_t kVnniSliceBlocks = 32, kVnniSlabRows = 64, kVnniTokChunk = 64;

// Rows [s0, s_end) (whole groups) x tokens [t0, t0 + T) over blocks [b0, b1), added to part
// (row-major, ld, indexed by absolute token). The tile's activations are first copied
// block-interleaved into a stack buffer shared by the slab's rows (as r4_tiles_of_width does:
// consecutive L1 lines whatever K is).
template <class VT, int P, int T>
inline void vnni_tiles(const TernaryGemm& g, int64_t s0, int64_t s_end, int64_t b0, int64_t b1, int t0, int32_t* part,
                       int64_t ld) {
  constexpr int kTileRows = P * VT::kRowsPerVec;
  static_assert(4 % kTileRows == 0, "tiles stay inside a row group");
  alignas(64) int8_t tile[kVnniSliceBlocks * T * 128];
  for (int64_t b = b0; b < b1; ++b)
    for (int t = 0; t < T; ++t) std::memcpy(tile + ((b - b0) * T + t) * 128, g.q + (t0 + t) * g.k + b * 128, 128);
  for (int64_t r = s0; r < s_end; r += kTileRows)
    vnni_tile<VT, P, T>(g.w + (r / 4) * g.k + (r % 4) * 32 + b0 * 128, b1 - b0, tile, part + (r - s0) * ld + t0, ld);
}

// The GEMM of an I2S_R4 matrix for n_tokens > 1, rows [r0, r1) (r0 a multiple of 4): same
// contract as TernaryGemm. Tiles of T tokens, the last tokens in tiles of 4, 2, 1.
template <class VT, int P, int T>
void ternary_gemm_vnni(const TernaryGemm& g, int64_t r0, int64_t r1) {
  const int64_t nb = g.k / 128;
  int32_t part[kVnniSlabRows * kVnniTokChunk];
  for (int64_t s0 = r0; s0 < r1; s0 += kVnniSlabRows) {
    const int64_t s1 = vnni_min(r1, s0 + kVnniSlabRows);
    const int64_t s_end = (s1 + 3) / 4 * 4;  // whole groups: the layout pads rows with zeros
    for (int tc0 = 0; tc0 < g.n_tokens; tc0 += kVnniTokChunk) {
      const int n = static_cast<int>(vnni_min(g.n_tokens - tc0, kVnniTokChunk));
      for (int64_t i = 0; i < (s_end - s0) * kVnniTokChunk; ++i) part[i] = 0;
      int32_t* p = part - tc0;
      for (int64_t b0 = 0; b0 < nb; b0 += kVnniSliceBlocks) {
        const int64_t b1 = vnni_min(nb, b0 + kVnniSliceBlocks);
        int t = tc0;
        for (; t + T <= tc0 + n; t += T) vnni_tiles<VT, P, T>(g, s0, s_end, b0, b1, t, p, kVnniTokChunk);
        for (; t + 4 <= tc0 + n; t += 4) vnni_tiles<VT, P, 4>(g, s0, s_end, b0, b1, t, p, kVnniTokChunk);
        for (; t + 2 <= tc0 + n; t += 2) vnni_tiles<VT, P, 2>(g, s0, s_end, b0, b1, t, p, kVnniTokChunk);
        if (t < tc0 + n) vnni_tiles<VT, P, 1>(g, s0, s_end, b0, b1, t, p, kVnniTokChunk);
      }
      // Token by token: each token's outputs are consecutive floats of y (as ternary_store).
      for (int tt = tc0; tt < tc0 + n; ++tt)
        for (int64_t r = s0; r < s1; ++r)
          g.y[tt * g.ldy + r] =
              (static_cast<float>(part[(r - s0) * kVnniTokChunk + (tt - tc0)] - g.qsum[tt]) * g.w_scale) * g.factor[tt];
    }
  }
}

}  // namespace
}  // namespace tern::kernels
