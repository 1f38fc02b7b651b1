// Ternary x int8 GEMV/GEMM for any SIMD level whose vectors are 16 or 32 bytes, written once
// against an integer-traits class `I` (kernels/x86/x86_simd.h: SSE4, AVX2, AVX-VNNI;
// kernels/arm/neon_simd.h: NEON, NEON dot product). Included by the per-level translation units
// only (see x86_simd.h for why).
//
// Maths: the 2-bit codes c = w + 1 (0, 1, 2) are multiplied with the int8 activations and Σq is
// subtracted at the end: Σ c·q - Σ q = Σ w·q. No decode to int8 weights is needed: a 32-byte
// block is a few AND/shift steps away from four vectors of codes, one per 32-value slice of the
// block. Products accumulate exactly (int16 for a bounded number of blocks, I::kFlushBlocks,
// then int32; see each traits class for its bound), hence results bit-identical to the scalar
// reference.
//
// The traits provide: V (a vector of bytes), kBytes, load, canonical (code 3 -> code 1),
// decode (a vector of packed bytes -> four vectors of codes), Acc / acc_zero / mac (add one
// vector's worth of code·activation products for the four fields) / flush (Acc -> V32),
// V32 / zero32 / add32 / hsum32, and kFlushBlocks.
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/simd/stream_prefetch.h"
#include "kernels/ternary_gemm.h"

namespace tern::kernels {
namespace {

inline int64_t tern_min(int64_t a, int64_t b) { return a < b ? a : b; }

// Traits with the in-place decode (x86_simd.h: I128, I256; kInplaceFields) decode a vector with
// one shift and four ANDs instead of three shifts and four, two of the fields coming out times 4
// (their own accumulator in Acc2, divided by 4 at the flush). The GEMV is bound by these vector ALU
// operations on AVX2, so it uses them; the sums are the same integers either way.
template <class I>
constexpr auto inplace_fields(int) -> decltype(I::kInplaceFields) { return I::kInplaceFields; }
template <class I>
constexpr bool inplace_fields(...) { return false; }

// The accumulator, decode, multiply-add and flush ternary_tile uses: the traits' plain hooks...
template <class I, bool kInplace = inplace_fields<I>(0)>
struct TileOps {
  using V = typename I::V;
  using Acc = typename I::Acc;
  static constexpr int64_t kPeriod = I::kFlushBlocks;  // blocks per accumulation period
  static Acc zero() { return I::acc_zero(); }
  static void decode(V x, V* codes) { I::decode(x, codes); }
  static void mac(Acc& acc, const V* codes, const int8_t* a) { I::mac(acc, codes, a); }
  static typename I::V32 flush(Acc acc) { return I::flush(acc); }
};
// ...or their in-place ones.
template <class I>
struct TileOps<I, true> {
  using V = typename I::V;
  using Acc = typename I::Acc2;
  static constexpr int64_t kPeriod = I::kFlushBlocks2;
  static Acc zero() { return I::acc2_zero(); }
  static void decode(V x, V* codes) { I::decode_inplace(x, codes); }
  static void mac(Acc& acc, const V* codes, const int8_t* a) { I::mac_inplace(acc, codes, a); }
  static typename I::V32 flush(Acc acc) { return I::flush2(acc); }
};

// Blocks per accumulation period of ternary_tile.
template <class I>
constexpr int64_t tile_period() { return TileOps<I>::kPeriod; }

// For R rows and T tokens, adds Σ code·q over blocks [b0, b1) — at most one accumulation
// period, tile_period<I>() — to acc[r*T + t]. rowp[r] points at block 0 of row r; consecutive
// blocks of a row are bstride bytes apart. kMask: the data may hold the invalid code 3, which
// must count as 0.
template <class I, bool kMask, int R, int T>
inline void ternary_tile(const uint8_t* const* rowp, int64_t bstride, int64_t b0, int64_t b1, const int8_t* q,
                         int64_t k, typename I::V32* acc) {
  using V = typename I::V;
  using Ops = TileOps<I>;
  constexpr int W = I::kBytes;
  constexpr int C = 32 / W;  // vectors per 32-byte block
  typename Ops::Acc a16[R][T];
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t) a16[r][t] = Ops::zero();
  for (int64_t b = b0; b < b1; ++b) {
    // One token (the decode GEMV): the rows are one forward stream from DRAM (I2S_R4: a block of
    // the four rows is 128 consecutive bytes; I2S: one row after another).
    if constexpr (T == 1) prefetch_ahead(rowp[0] + b * bstride, bstride);
    for (int c = 0; c < C; ++c) {
      for (int r = 0; r < R; ++r) {
        V x = I::load(rowp[r] + b * bstride + c * W);
        if constexpr (kMask) x = I::canonical(x);
        V codes[4];  // codes[f] covers values f*32 + c*W .. of the block
        Ops::decode(x, codes);
        for (int t = 0; t < T; ++t) Ops::mac(a16[r][t], codes, q + t * k + b * 128 + c * W);
      }
    }
  }
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t) acc[r * T + t] = I::add32(acc[r * T + t], Ops::flush(a16[r][t]));
}

// All blocks [b0, b1) of R rows x T tokens, period by period; adds the R*T sums to out.
template <class I, bool kMask, int R, int T>
inline void ternary_rows(const uint8_t* const* rowp, int64_t bstride, int64_t b0, int64_t b1, const int8_t* q,
                         int64_t k, int32_t* out) {
  typename I::V32 acc[R * T];
  for (int i = 0; i < R * T; ++i) acc[i] = I::zero32();
  constexpr int64_t kPeriod = tile_period<I>();
  for (int64_t f0 = b0; f0 < b1; f0 += kPeriod)
    ternary_tile<I, kMask, R, T>(rowp, bstride, f0, tern_min(b1, f0 + kPeriod), q, k, acc);
  for (int i = 0; i < R * T; ++i) out[i] += I::hsum32(acc[i]);
}

// Row r's block-0 pointer and block stride in either layout.
inline const uint8_t* ternary_row(const TernaryGemm& g, int64_t r) {
  if (g.layout == TernaryLayout::I2S) return g.w + r * (g.k / 4);
  return g.w + (r / 4) * g.k + (r % 4) * 32;
}
inline int64_t ternary_bstride(const TernaryGemm& g) { return g.layout == TernaryLayout::I2S ? 32 : 128; }

inline void ternary_store(const TernaryGemm& g, int64_t r, int t, int32_t sum) {
  g.y[t * g.ldy + r] = (static_cast<float>(sum - g.qsum[t]) * g.w_scale) * g.factor[t];
}

// One token. I2S_R4: the four rows of a group share every activation load and are one
// sequential stream. I2S (file layout): one row at a time, which is one sequential stream there
// too (four separate rows at once measured 3x slower: one core reading several interleaved
// streams gets far less bandwidth than reading one).
template <class I, bool kMask>
void ternary_gemv(const TernaryGemm& g, int64_t r0, int64_t r1) {
  const int64_t nb = g.k / 128, bs = ternary_bstride(g);
  int64_t r = r0;
  for (; g.layout == TernaryLayout::I2S_R4 && r + 4 <= r1; r += 4) {
    const uint8_t* rows[4] = {ternary_row(g, r), ternary_row(g, r + 1), ternary_row(g, r + 2), ternary_row(g, r + 3)};
    int32_t out[4] = {0, 0, 0, 0};
    ternary_rows<I, kMask, 4, 1>(rows, bs, 0, nb, g.q, g.k, out);
    for (int j = 0; j < 4; ++j) ternary_store(g, r + j, 0, out[j]);
  }
  for (; r < r1; ++r) {
    const uint8_t* row = ternary_row(g, r);
    int32_t out = 0;
    ternary_rows<I, kMask, 1, 1>(&row, bs, 0, nb, g.q, g.k, &out);
    ternary_store(g, r, 0, out);
  }
}

// Tokens per register tile in the GEMM. 4 to 6 measured alike on Zen 3 (more registers only add
// spills); the decode of each weight block is shared by the tile.
constexpr int kMaxTile = 4;

template <class I, bool kMask, int T>
inline void ternary_row_tokens(const TernaryGemm& g, const uint8_t* row, int64_t b0, int64_t b1, int t0,
                               int32_t* out) {
  ternary_rows<I, kMask, 1, T>(&row, ternary_bstride(g), b0, b1, g.q + t0 * g.k, g.k, out + t0);
}

// Many tokens: the weights of a 16-row slab and the activations of a 4-token tile, both over a
// 2048-value slice of K, stay in L1 while every (row, token) pair of them is computed.
template <class I, bool kMask>
void ternary_gemm_tiled(const TernaryGemm& g, int64_t r0, int64_t r1) {
  constexpr int64_t kSlabRows = 16, kSliceBlocks = 16, kTokChunk = 64;
  static_assert(kSliceBlocks % tile_period<I>() == 0, "slices hold whole accumulation periods");
  const int64_t nb = g.k / 128;
  int32_t part[kSlabRows * kTokChunk];
  for (int64_t s0 = r0; s0 < r1; s0 += kSlabRows) {
    const int64_t s1 = tern_min(r1, s0 + kSlabRows);
    for (int tc0 = 0; tc0 < g.n_tokens; tc0 += kTokChunk) {
      const int tc1 = static_cast<int>(tern_min(g.n_tokens, tc0 + kTokChunk));
      for (int64_t i = 0; i < (s1 - s0) * kTokChunk; ++i) part[i] = 0;
      for (int64_t b0 = 0; b0 < nb; b0 += kSliceBlocks) {
        const int64_t b1 = tern_min(nb, b0 + kSliceBlocks);
        for (int t0 = tc0; t0 < tc1; t0 += kMaxTile) {
          const int n = static_cast<int>(tern_min(kMaxTile, tc1 - t0));
          for (int64_t r = s0; r < s1; ++r) {
            const uint8_t* row = ternary_row(g, r);
            int32_t* out = part + (r - s0) * kTokChunk - tc0;
            static_assert(kMaxTile == 4, "one case per tile size");
            switch (n) {  // full tiles, then the remainder
              case 4: ternary_row_tokens<I, kMask, 4>(g, row, b0, b1, t0, out); break;
              case 3: ternary_row_tokens<I, kMask, 3>(g, row, b0, b1, t0, out); break;
              case 2: ternary_row_tokens<I, kMask, 2>(g, row, b0, b1, t0, out); break;
              default: ternary_row_tokens<I, kMask, 1>(g, row, b0, b1, t0, out); break;
            }
          }
        }
      }
      for (int64_t r = s0; r < s1; ++r)
        for (int t = tc0; t < tc1; ++t) ternary_store(g, r, t, part[(r - s0) * kTokChunk + (t - tc0)]);
    }
  }
}

// ---- I2S_R4 GEMM with R rows x T tokens per register tile ----
// The tiled kernel above decodes a block once per 4 tokens but loads every activation vector
// once per row, and pays a flush and horizontal sum per (row, token) every slice. Here R rows of
// a row group share each activation load and T tokens share each decode, one field (32 values)
// at a time, so that the R·T int16 accumulators, R codes and one activation fit the 16 vector
// registers. Needs the traits' single-field hook mac1(acc, codes, activations) and pin(acc) (see
// I128::pin); traits without them (NEON) keep the kernel above.
template <class I>
constexpr auto has_mac1(int) -> decltype(&I::mac1, true) { return true; }
template <class I>
constexpr bool has_mac1(...) { return false; }

// Adds Σ code·q over nb blocks (at most one accumulation period) of the R rows at w (row j at
// w + j*32, block stride 128: the I2S_R4 layout) for T tokens to out[r*T + t]. Token t's block b
// is at q + b * q_block + t * q_token.
template <class I, int R, int T>
inline void r4_period(const uint8_t* w, int64_t nb, const int8_t* q, int64_t q_block, int64_t q_token, int32_t* out) {
  using V = typename I::V;
  constexpr int W = I::kBytes;
  constexpr int C = 32 / W;
  typename I::Acc a16[R][T];
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t) a16[r][t] = I::acc_zero();
  for (int64_t b = 0; b < nb; ++b) {
    for (int c = 0; c < C; ++c) {
      V x[R];
      for (int r = 0; r < R; ++r) x[r] = I::load(w + b * 128 + r * 32 + c * W);
      for (int f = 0; f < 4; ++f) {
        V code[R];
        for (int r = 0; r < R; ++r) {
          V all[4];
          I::decode(x[r], all);  // the three other fields are dead code
          code[r] = all[f];
        }
        const int8_t* a = q + b * q_block + f * 32 + c * W;
        for (int t = 0; t < T; ++t) {
          const V at = I::load(a + t * q_token);
          for (int r = 0; r < R; ++r) I::mac1(a16[r][t], code[r], at);
        }
        for (int r = 0; r < R; ++r)
          for (int t = 0; t < T; ++t) I::pin(a16[r][t]);
      }
    }
  }
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t) out[r * T + t] += I::hsum32(I::flush(a16[r][t]));
}

// Tile shape, measured on Zen 3 (AVX2) at the 2B4T shapes with 64 tokens: 1 row x 8 tokens
// was ~5 % faster than the previous 1 x 4 kernel and than 2 x 4 or 2 x 3; 2 x 6 spills (-40 %).
// What bounds it there is the vector ALU ports (a maddubs and an add per 32 products, plus the
// decode shared by the tile), not the loads, so sharing activation loads between rows does not
// pay; the decode shared by more tokens does.
constexpr int kR4Rows = 1, kR4Tokens = 8;
// Rows per slab and blocks per slice (a multiple of every level's accumulation period).
constexpr int64_t kR4SlabRows = 64, kR4SliceBlocks = 16, kR4TokChunk = 64;

// Rows [s0, s_end) x tokens [t0, t0 + T) over blocks [b0, b1), added to part (row-major, ld).
// The tile's activations are first copied block-interleaved (block b: T x 128 bytes) into a
// stack buffer: the tile then sits in 16 KiB of consecutive L1 lines whatever K is (token rows
// 4096 bytes apart all map to the same L1 sets: K = 4096 ran ~25 % slower), and one pointer
// with constant offsets addresses all T tokens. The copy is shared by the slab's 64 rows.
template <class I, int T>
inline void r4_tiles_of_width(const TernaryGemm& g, int64_t s0, int64_t s_end, int64_t b0, int64_t b1, int t0,
                              int32_t* part, int64_t ld) {
  alignas(64) int8_t tile[kR4SliceBlocks * kR4Tokens * 128];
  for (int64_t b = b0; b < b1; ++b)
    for (int t = 0; t < T; ++t) std::memcpy(tile + ((b - b0) * T + t) * 128, g.q + (t0 + t) * g.k + b * 128, 128);
  for (int64_t r = s0; r < s_end; r += kR4Rows) {
    int32_t out[kR4Rows * T] = {};
    const uint8_t* w = g.w + (r / 4) * g.k + (r % 4) * 32;
    for (int64_t p = b0; p < b1; p += I::kFlushBlocks)
      r4_period<I, kR4Rows, T>(w + p * 128, tern_min(b1 - p, I::kFlushBlocks), tile + (p - b0) * T * 128, T * 128, 128,
                               out);
    for (int j = 0; j < kR4Rows; ++j)
      for (int t = 0; t < T; ++t) part[(r - s0 + j) * ld + t0 + t] += out[j * T + t];
  }
}

template <class I>
void ternary_gemm_r4(const TernaryGemm& g, int64_t r0, int64_t r1) {
  // A slab's weights over a 2048-value slice (32 KiB) stay in L2 and a tile's activations in L1
  // while every (row, token) pair of them is computed.
  constexpr int64_t kSlabRows = kR4SlabRows, kSliceBlocks = kR4SliceBlocks, kTokChunk = kR4TokChunk;
  static_assert(kSliceBlocks % I::kFlushBlocks == 0, "slices hold whole accumulation periods");
  static_assert(4 % kR4Rows == 0, "tiles stay inside a row group");
  const int64_t nb = g.k / 128;
  int32_t part[kSlabRows * kTokChunk];
  for (int64_t s0 = r0; s0 < r1; s0 += kSlabRows) {
    const int64_t s1 = tern_min(r1, s0 + kSlabRows);
    const int64_t s_end = (s1 + 3) / 4 * 4;  // whole groups: the layout pads rows with zeros
    for (int tc0 = 0; tc0 < g.n_tokens; tc0 += kTokChunk) {
      const int n = static_cast<int>(tern_min(g.n_tokens - tc0, kTokChunk));
      for (int64_t i = 0; i < (s_end - s0) * kTokChunk; ++i) part[i] = 0;
      int32_t* p = part - tc0;  // indexed by absolute token
      for (int64_t b0 = 0; b0 < nb; b0 += kSliceBlocks) {
        const int64_t b1 = tern_min(nb, b0 + kSliceBlocks);
        int t = tc0;
        for (; t + kR4Tokens <= tc0 + n; t += kR4Tokens)
          r4_tiles_of_width<I, kR4Tokens>(g, s0, s_end, b0, b1, t, p, kTokChunk);
        static_assert(kR4Tokens == 8, "one case per remainder");
        switch (tc0 + n - t) {  // the last, narrower tile
          case 7: r4_tiles_of_width<I, 7>(g, s0, s_end, b0, b1, t, p, kTokChunk); break;
          case 6: r4_tiles_of_width<I, 6>(g, s0, s_end, b0, b1, t, p, kTokChunk); break;
          case 5: r4_tiles_of_width<I, 5>(g, s0, s_end, b0, b1, t, p, kTokChunk); break;
          case 4: r4_tiles_of_width<I, 4>(g, s0, s_end, b0, b1, t, p, kTokChunk); break;
          case 3: r4_tiles_of_width<I, 3>(g, s0, s_end, b0, b1, t, p, kTokChunk); break;
          case 2: r4_tiles_of_width<I, 2>(g, s0, s_end, b0, b1, t, p, kTokChunk); break;
          case 1: r4_tiles_of_width<I, 1>(g, s0, s_end, b0, b1, t, p, kTokChunk); break;
          default: break;
        }
      }
      // Token by token: each token's outputs are consecutive floats of y.
      for (int t = tc0; t < tc0 + n; ++t)
        for (int64_t r = s0; r < s1; ++r) ternary_store(g, r, t, part[(r - s0) * kTokChunk + (t - tc0)]);
    }
  }
}

template <class I>
void ternary_gemm_simd(const TernaryGemm& g, int64_t r0, int64_t r1) {
  const bool file_layout = g.layout == TernaryLayout::I2S;  // may hold code 3
  if (g.n_tokens == 1) {
    if (file_layout) ternary_gemv<I, true>(g, r0, r1);
    else ternary_gemv<I, false>(g, r0, r1);
  } else if (file_layout) {
    ternary_gemm_tiled<I, true>(g, r0, r1);
  } else if constexpr (has_mac1<I>(0)) {
    ternary_gemm_r4<I>(g, r0, r1);
  } else {
    ternary_gemm_tiled<I, false>(g, r0, r1);
  }
}

}  // namespace
}  // namespace tern::kernels
