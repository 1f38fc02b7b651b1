#include "kernels/ternary_dot.h"

#include <cassert>
#include <cstring>

#include "kernels/fp16.h"
#include "kernels/ternary_codes.h"

namespace tern::kernels {
namespace {

using detail::kI2sBlock;
using detail::kI2sBlockBytes;
using detail::kTq1BlockBytes;
using detail::kTq1QhBytes;
using detail::kTq1QsBytes;
using detail::kTq2BlockBytes;
using detail::kTqBlock;

float block_d(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return fp16_to_f32(h);
}

}  // namespace

// Every kernel decodes a block with the same routine the unpackers use (so invalid code 3 counts
// as 0 here too) and then takes a plain int8 dot; see ternary_codes.h for why.

int32_t i2s_dot_i8(const uint8_t* packed_row, const int8_t* q, int64_t k) {
  assert(k >= 0 && k % kI2sBlock == 0);
  int8_t w[kI2sBlock];
  int32_t sum = 0;
  for (int64_t b = 0; b < k / kI2sBlock; ++b) {
    detail::decode_i2s_block(packed_row + b * kI2sBlockBytes, w);
    sum += detail::dot_i8_block(w, q + b * kI2sBlock, kI2sBlock);
  }
  return sum;
}

float tq2_0_dot_i8(const uint8_t* row_blocks, const int8_t* q, int64_t k) {
  assert(k >= 0 && k % kTqBlock == 0);
  int8_t w[kTqBlock];
  double acc = 0.0;  // exact for equal d_b (see header)
  for (int64_t b = 0; b < k / kTqBlock; ++b) {
    const uint8_t* blk = row_blocks + b * kTq2BlockBytes;
    detail::decode_tq2_block(blk, w);
    acc += static_cast<double>(block_d(blk + 64)) * detail::dot_i8_block(w, q + b * kTqBlock, kTqBlock);
  }
  return static_cast<float>(acc);
}

float tq1_0_dot_i8(const uint8_t* row_blocks, const int8_t* q, int64_t k) {
  assert(k >= 0 && k % kTqBlock == 0);
  int8_t w[kTqBlock];
  double acc = 0.0;
  for (int64_t b = 0; b < k / kTqBlock; ++b) {
    const uint8_t* blk = row_blocks + b * kTq1BlockBytes;
    detail::decode_tq1_block(blk, w);
    acc += static_cast<double>(block_d(blk + kTq1QsBytes + kTq1QhBytes)) *
           detail::dot_i8_block(w, q + b * kTqBlock, kTqBlock);
  }
  return static_cast<float>(acc);
}

}  // namespace tern::kernels
