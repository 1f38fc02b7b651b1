#include "kernels/ternary_gemm.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <vector>

#include "kernels/fp16.h"
#include "kernels/ternary_codes.h"

namespace tern::kernels {
namespace {

using detail::kI2sBlock;
using detail::kI2sBlockBytes;
using detail::kTq1BlockBytes;
using detail::kTq2BlockBytes;
using detail::kTqBlock;

constexpr uint8_t kZeroByte = 0x55;  // four codes 1 = four zero weights

// Address of block b of row r.
const uint8_t* block_ptr(const TernaryGemm& g, int64_t r, int64_t b) {
  if (g.layout == TernaryLayout::I2S) return g.w + r * (g.k / 4) + b * kI2sBlockBytes;
  return g.w + (r / 4) * g.k + b * (4 * kI2sBlockBytes) + (r % 4) * kI2sBlockBytes;
}

// Rewrites every 2-bit code 3 of a byte as code 1: both decode to 0, and afterwards a kernel may
// use code - 1 directly. Bit 2i of `both` is set when bits 2i and 2i+1 are; clearing bit 2i+1
// turns 3 into 1.
inline uint8_t canonical_codes(uint8_t b) {
  const unsigned both = (b >> 1) & b & 0x55u;
  return static_cast<uint8_t>(b ^ (both << 1));
}

// TQ2_0 keeps a byte's four values LSB-first, I2_S MSB-first (same value order m, m+32, m+64,
// m+96 otherwise): reverse the four 2-bit fields.
inline uint8_t tq2_to_i2s_byte(uint8_t x) {
  return static_cast<uint8_t>(((x & 0x03u) << 6) | ((x & 0x0Cu) << 2) | ((x & 0x30u) >> 2) | ((x & 0xC0u) >> 6));
}

uint16_t load_u16(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return h;
}

// Shared by the two TQ formats: every nonzero block scale (fp16 bits at `d_offset` of each block)
// must be the same.
bool uniform_block_scale(const uint8_t* src, int64_t n_blocks, int64_t block_bytes, int64_t d_offset, float* d) {
  bool have = false;
  uint16_t ref = 0;
  for (int64_t b = 0; b < n_blocks; ++b) {
    const uint16_t h = load_u16(src + b * block_bytes + d_offset);
    if ((h & 0x7FFFu) == 0) continue;  // +-0: an all-zero block, whatever its codes say
    if (!have) {
      ref = h;
      have = true;
    } else if (h != ref) {
      return false;
    }
  }
  *d = have ? fp16_to_f32(ref) : 0.0f;
  return true;
}

// Packs 128 ternary values into one I2_S block (no validation: values come from our decoders).
void pack_i2s_block(const int8_t* t, uint8_t* out) {
  for (int j = 0; j < 32; ++j)
    out[j] = static_cast<uint8_t>(((t[j] + 1) << 6) | ((t[j + 32] + 1) << 4) | ((t[j + 64] + 1) << 2) | (t[j + 96] + 1));
}

// Common repack driver: `emit(r, b, out)` writes the 32 bytes of I2_S block b of source row r.
template <typename Emit>
void repack_r4(int64_t rows, int64_t k, uint8_t* dst, int64_t g0, int64_t g1, Emit emit) {
  const int64_t nb = k / kI2sBlock;
  for (int64_t g = g0; g < g1; ++g)
    for (int64_t b = 0; b < nb; ++b)
      for (int64_t j = 0; j < 4; ++j) {
        uint8_t* out = dst + g * k + b * 4 * kI2sBlockBytes + j * kI2sBlockBytes;
        const int64_t r = 4 * g + j;
        if (r < rows) emit(r, b, out);
        else std::memset(out, kZeroByte, kI2sBlockBytes);
      }
}

}  // namespace

void ternary_gemm_ref(const TernaryGemm& g, int64_t r0, int64_t r1) {
  assert(g.k % kI2sBlock == 0);
  assert(g.layout != TernaryLayout::I2S_R4 || r0 % 4 == 0);
  const int64_t nb = g.k / kI2sBlock;
  std::vector<int32_t> acc(static_cast<size_t>(g.n_tokens));
  int8_t w[kI2sBlock];
  for (int64_t r = r0; r < r1; ++r) {
    std::fill(acc.begin(), acc.end(), 0);
    for (int64_t b = 0; b < nb; ++b) {
      detail::decode_i2s_block(block_ptr(g, r, b), w);  // decoded once, used for every token
      for (int t = 0; t < g.n_tokens; ++t)
        acc[t] += detail::dot_i8_block(w, g.q + t * g.k + b * kI2sBlock, kI2sBlock);
    }
    for (int t = 0; t < g.n_tokens; ++t)
      g.y[t * g.ldy + r] = (static_cast<float>(acc[t]) * g.w_scale) * g.factor[t];
  }
}

uint64_t i2s_r4_nbytes(int64_t rows, int64_t k) {
  return static_cast<uint64_t>((rows + 3) / 4) * static_cast<uint64_t>(k);
}

void i2s_repack_r4(const uint8_t* src, int64_t rows, int64_t k, uint8_t* dst, int64_t g0, int64_t g1) {
  const int64_t row_bytes = k / 4;
  repack_r4(rows, k, dst, g0, g1, [&](int64_t r, int64_t b, uint8_t* out) {
    const uint8_t* in = src + r * row_bytes + b * kI2sBlockBytes;
    for (int j = 0; j < kI2sBlockBytes; ++j) out[j] = canonical_codes(in[j]);
  });
}

bool tq2_0_uniform_scale(const uint8_t* src, int64_t rows, int64_t k, float* d) {
  return uniform_block_scale(src, rows * (k / kTqBlock), kTq2BlockBytes, 64, d);
}

bool tq1_0_uniform_scale(const uint8_t* src, int64_t rows, int64_t k, float* d) {
  return uniform_block_scale(src, rows * (k / kTqBlock), kTq1BlockBytes, kTq1BlockBytes - 2, d);
}

void tq2_0_repack_r4(const uint8_t* src, int64_t rows, int64_t k, uint8_t* dst, int64_t g0, int64_t g1) {
  const int64_t row_bytes = k / kTqBlock * kTq2BlockBytes;
  repack_r4(rows, k, dst, g0, g1, [&](int64_t r, int64_t b, uint8_t* out) {
    // I2_S block b is half (b % 2) of TQ2_0 block b / 2.
    const uint8_t* blk = src + r * row_bytes + (b / 2) * kTq2BlockBytes;
    if ((load_u16(blk + 64) & 0x7FFFu) == 0) {
      std::memset(out, kZeroByte, kI2sBlockBytes);
      return;
    }
    const uint8_t* in = blk + (b % 2) * 32;
    for (int j = 0; j < kI2sBlockBytes; ++j) out[j] = canonical_codes(tq2_to_i2s_byte(in[j]));
  });
}

void tq1_0_repack_r4(const uint8_t* src, int64_t rows, int64_t k, uint8_t* dst, int64_t g0, int64_t g1) {
  const int64_t row_bytes = k / kTqBlock * kTq1BlockBytes;
  // One decoded TQ1_0 block per row of the group: repack_r4 visits the group's four rows for
  // I2_S block b, then again for b + 1, the other half of the same TQ1_0 blocks. (A single cache
  // decoded every block twice: 2B4T took 4.6 s to load from TQ1_0 on one thread.)
  int8_t t[4][kTqBlock];
  int64_t decoded_row[4] = {-1, -1, -1, -1}, decoded_block[4] = {-1, -1, -1, -1};
  repack_r4(rows, k, dst, g0, g1, [&](int64_t r, int64_t b, uint8_t* out) {
    const uint8_t* blk = src + r * row_bytes + (b / 2) * kTq1BlockBytes;
    if ((load_u16(blk + kTq1BlockBytes - 2) & 0x7FFFu) == 0) {
      std::memset(out, kZeroByte, kI2sBlockBytes);
      return;
    }
    const int64_t j = r % 4;
    if (decoded_row[j] != r || decoded_block[j] != b / 2) {
      detail::decode_tq1_block(blk, t[j]);
      decoded_row[j] = r;
      decoded_block[j] = b / 2;
    }
    pack_i2s_block(t[j] + (b % 2) * kI2sBlock, out);
  });
}

}  // namespace tern::kernels
