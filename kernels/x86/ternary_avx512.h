// Ternary x int8 GEMV/GEMM with 512-bit vectors (AVX-512 BW, optionally VNNI). Included only by
// the AVX-512 translation units.
//
// A zmm register holds the same 32-byte block of two rows ("a row pair": low half row r, high
// half row r+1) and each activation slice is broadcast to both halves, so one instruction serves
// two rows. In the I2S_R4 layout the two rows of an even pair are adjacent, one 64-byte load.
// The arithmetic is that of kernels/simd/ternary_simd.h (codes times int8, Σq subtracted; int16
// accumulation over at most 16 blocks, or vpdpbusd with VNNI): exact, so bit-identical to the
// reference. Tested bit-exact on Zen 4 and Zen 5 machines; the kernel tests check it
// on any machine that has AVX-512.
#pragma once

#include "kernels/simd/stream_prefetch.h"
#include "kernels/ternary_gemm.h"
#include "kernels/x86/x86_simd.h"

namespace tern::kernels {
namespace {

inline int64_t min512(int64_t a, int64_t b) { return a < b ? a : b; }

struct RowPair {
  const uint8_t* lo;  // block 0 of the low row
  const uint8_t* hi;  // block 0 of the high row (== lo + 32 when kContig)
};

template <bool kContig>
inline __m512i load_pair(const RowPair& p, int64_t off) {
  if constexpr (kContig) {
    return _mm512_loadu_si512(p.lo + off);
  } else {
    const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.lo + off));
    const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.hi + off));
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
  }
}

inline __m512i bcast32(const int8_t* a) {
  return _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a)));
}

// out[2*(p*T + t)] / out[2*(p*T + t) + 1]: low / high row of pair p, token t (added to).
template <bool kVnni, bool kMask, bool kContig, int P, int T>
inline void tile512(const RowPair* pairs, int64_t bstride, int64_t b0, int64_t b1, const int8_t* q, int64_t k,
                    int32_t* out) {
  const __m512i m3 = _mm512_set1_epi8(3);
  __m512i acc[P][T], acc_b[P][T];
  for (int p = 0; p < P; ++p)
    for (int t = 0; t < T; ++t) acc[p][t] = acc_b[p][t] = _mm512_setzero_si512();
  for (int64_t f0 = b0; f0 < b1; f0 += 16) {
    const int64_t f1 = min512(b1, f0 + 16);
    __m512i acc16[P][T];
    for (int p = 0; p < P; ++p)
      for (int t = 0; t < T; ++t) acc16[p][t] = _mm512_setzero_si512();
    for (int64_t b = f0; b < f1; ++b) {
      // One token (the decode GEMV): the rows are one forward stream from DRAM, prefetched as in
      // ternary_simd.h. Measured there on Zen 3 (+25-30 % from DRAM); not yet on an AVX-512 machine.
      if constexpr (T == 1) prefetch_ahead(pairs[0].lo + b * bstride, bstride);
      for (int p = 0; p < P; ++p) {
        __m512i x = load_pair<kContig>(pairs[p], b * bstride);
        if constexpr (kMask) {  // code 3 -> code 1, as in I256::canonical
          const __m512i both = _mm512_and_si512(_mm512_and_si512(_mm512_srli_epi16(x, 1), x), _mm512_set1_epi8(0x55));
          x = _mm512_xor_si512(x, _mm512_add_epi8(both, both));
        }
        const __m512i c0 = _mm512_and_si512(_mm512_srli_epi16(x, 6), m3);
        const __m512i c1 = _mm512_and_si512(_mm512_srli_epi16(x, 4), m3);
        const __m512i c2 = _mm512_and_si512(_mm512_srli_epi16(x, 2), m3);
        const __m512i c3 = _mm512_and_si512(x, m3);
        for (int t = 0; t < T; ++t) {
          const int8_t* a = q + t * k + b * 128;
          if constexpr (kVnni) {
#if defined(__AVX512VNNI__)
            acc[p][t] = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(acc[p][t], c0, bcast32(a)), c2, bcast32(a + 64));
            acc_b[p][t] = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(acc_b[p][t], c1, bcast32(a + 32)), c3, bcast32(a + 96));
#else
            static_assert(!kVnni, "the VNNI kernels need -mavx512vnni");
#endif
          } else {
            const __m512i s01 = _mm512_add_epi16(_mm512_maddubs_epi16(c0, bcast32(a)), _mm512_maddubs_epi16(c1, bcast32(a + 32)));
            const __m512i s23 = _mm512_add_epi16(_mm512_maddubs_epi16(c2, bcast32(a + 64)), _mm512_maddubs_epi16(c3, bcast32(a + 96)));
            acc16[p][t] = _mm512_add_epi16(acc16[p][t], _mm512_add_epi16(s01, s23));
          }
        }
      }
    }
    if constexpr (!kVnni) {
      const __m512i ones = _mm512_set1_epi16(1);
      for (int p = 0; p < P; ++p)
        for (int t = 0; t < T; ++t) acc[p][t] = _mm512_add_epi32(acc[p][t], _mm512_madd_epi16(acc16[p][t], ones));
    }
  }
  for (int p = 0; p < P; ++p)
    for (int t = 0; t < T; ++t) {
      const __m512i s = _mm512_add_epi32(acc[p][t], acc_b[p][t]);
      out[2 * (p * T + t)] += I256::hsum32(_mm512_castsi512_si256(s));
      out[2 * (p * T + t) + 1] += I256::hsum32(_mm512_extracti64x4_epi64(s, 1));
    }
}

inline const uint8_t* row512(const TernaryGemm& g, int64_t r) {
  if (g.layout == TernaryLayout::I2S) return g.w + r * (g.k / 4);
  return g.w + (r / 4) * g.k + (r % 4) * 32;
}

// The pair starting at row r. Rows past the end: in I2S_R4 they exist (zero padding up to a
// multiple of 4); in I2S the row is paired with itself and the high result is discarded.
inline RowPair pair_at(const TernaryGemm& g, int64_t r) {
  const int64_t r_hi = g.layout == TernaryLayout::I2S && r + 1 >= g.rows ? r : r + 1;
  return {row512(g, r), row512(g, r_hi)};
}

inline void store512(const TernaryGemm& g, int64_t r, int64_t r1, int t, int32_t sum) {
  if (r < r1) g.y[t * g.ldy + r] = (static_cast<float>(sum - g.qsum[t]) * g.w_scale) * g.factor[t];
}

template <bool kVnni, bool kMask, bool kContig, int P, int T>
inline void run_tile(const TernaryGemm& g, int64_t r, int64_t b0, int64_t b1, int t0, int32_t* out) {
  RowPair pairs[P];
  for (int p = 0; p < P; ++p) pairs[p] = pair_at(g, r + 2 * p);
  tile512<kVnni, kMask, kContig, P, T>(pairs, g.layout == TernaryLayout::I2S ? 32 : 128, b0, b1, g.q + t0 * g.k, g.k,
                                       out);
}

template <bool kVnni, bool kMask, bool kContig>
void gemv512(const TernaryGemm& g, int64_t r0, int64_t r1) {
  const int64_t nb = g.k / 128;
  int64_t r = r0;
  for (; r + 4 <= r1; r += 4) {
    int32_t out[4] = {0, 0, 0, 0};
    run_tile<kVnni, kMask, kContig, 2, 1>(g, r, 0, nb, 0, out);
    for (int j = 0; j < 4; ++j) store512(g, r + j, r1, 0, out[j]);
  }
  for (; r < r1; r += 2) {
    int32_t out[2] = {0, 0};
    run_tile<kVnni, kMask, kContig, 1, 1>(g, r, 0, nb, 0, out);
    store512(g, r, r1, 0, out[0]);
    store512(g, r + 1, r1, 0, out[1]);
  }
}

// Same blocking as ternary_gemm_tiled (kernels/simd/ternary_simd.h), with row pairs.
template <bool kVnni, bool kMask, bool kContig>
void gemm512(const TernaryGemm& g, int64_t r0, int64_t r1) {
  constexpr int64_t kSlabRows = 16, kSliceBlocks = 16, kTokChunk = 64;
  const int64_t nb = g.k / 128;
  int32_t part[kSlabRows * kTokChunk];
  int32_t pair_out[2 * 8];
  for (int64_t s0 = r0; s0 < r1; s0 += kSlabRows) {
    const int64_t s1 = min512(r1, s0 + kSlabRows);
    for (int tc0 = 0; tc0 < g.n_tokens; tc0 += kTokChunk) {
      const int tc1 = static_cast<int>(min512(g.n_tokens, tc0 + kTokChunk));
      for (int64_t i = 0; i < kSlabRows * kTokChunk; ++i) part[i] = 0;
      for (int64_t b0 = 0; b0 < nb; b0 += kSliceBlocks) {
        const int64_t b1 = min512(nb, b0 + kSliceBlocks);
        for (int t0 = tc0; t0 < tc1; t0 += 8) {
          const int n = static_cast<int>(min512(8, tc1 - t0));
          for (int64_t r = s0; r < s1; r += 2) {
            for (int i = 0; i < 16; ++i) pair_out[i] = 0;
            switch (n) {
              case 8: run_tile<kVnni, kMask, kContig, 1, 8>(g, r, b0, b1, t0, pair_out); break;
              case 7: run_tile<kVnni, kMask, kContig, 1, 7>(g, r, b0, b1, t0, pair_out); break;
              case 6: run_tile<kVnni, kMask, kContig, 1, 6>(g, r, b0, b1, t0, pair_out); break;
              case 5: run_tile<kVnni, kMask, kContig, 1, 5>(g, r, b0, b1, t0, pair_out); break;
              case 4: run_tile<kVnni, kMask, kContig, 1, 4>(g, r, b0, b1, t0, pair_out); break;
              case 3: run_tile<kVnni, kMask, kContig, 1, 3>(g, r, b0, b1, t0, pair_out); break;
              case 2: run_tile<kVnni, kMask, kContig, 1, 2>(g, r, b0, b1, t0, pair_out); break;
              default: run_tile<kVnni, kMask, kContig, 1, 1>(g, r, b0, b1, t0, pair_out); break;
            }
            for (int t = 0; t < n; ++t) {
              part[(r - s0) * kTokChunk + (t0 - tc0) + t] += pair_out[2 * t];
              if (r + 1 < s1) part[(r + 1 - s0) * kTokChunk + (t0 - tc0) + t] += pair_out[2 * t + 1];
            }
          }
        }
      }
      for (int64_t r = s0; r < s1; ++r)
        for (int t = tc0; t < tc1; ++t) store512(g, r, r1, t, part[(r - s0) * kTokChunk + (t - tc0)]);
    }
  }
}

template <bool kVnni>
void ternary_gemm_avx512(const TernaryGemm& g, int64_t r0, int64_t r1) {
  if (g.layout == TernaryLayout::I2S) {
    if (g.n_tokens == 1) gemv512<kVnni, true, false>(g, r0, r1);
    else gemm512<kVnni, true, false>(g, r0, r1);
  } else if (r0 % 2 == 0) {  // every pair starts on an even row: adjacent in the layout
    if (g.n_tokens == 1) gemv512<kVnni, false, true>(g, r0, r1);
    else gemm512<kVnni, false, true>(g, r0, r1);
  } else {
    if (g.n_tokens == 1) gemv512<kVnni, false, false>(g, r0, r1);
    else gemm512<kVnni, false, false>(g, r0, r1);
  }
}

}  // namespace
}  // namespace tern::kernels
