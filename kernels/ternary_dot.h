// Dot products of one packed ternary weight row with int8-quantised activations (scalar
// reference). Activations come from quantize_act_i8 (kernels/act_quant.h). k must be a multiple
// of 128 (I2_S) or 256 (TQ*); this is only assert()ed because these run in the inner loop.
//
// The float result of a BitLinear row is
//   I2_S:  i2s_dot_i8(...) / act.scale * tensor_scale
//   TQ*_0: tqN_0_dot_i8(...) / act.scale           (block scales d already applied)
#pragma once

#include <cstdint>

namespace tern::kernels {

// Σ w·q over one I2_S row of k values. For row r of a K-column matrix, packed_row = data + r*K/4
// (the tensor's 32-byte scale tail is not touched). Exact: |result| <= 128·k.
int32_t i2s_dot_i8(const uint8_t* packed_row, const int8_t* q, int64_t k);

// Σ_b d_b · (Σ w·q over block b) for one row of k/256 TQ2_0 (66-byte) blocks. The per-block
// products are accumulated in double, so when all d_b are equal the result is exactly
// float(d · Σ w·q) and matches the I2_S path bit for bit.
float tq2_0_dot_i8(const uint8_t* row_blocks, const int8_t* q, int64_t k);

// Same for TQ1_0 (54-byte blocks).
float tq1_0_dot_i8(const uint8_t* row_blocks, const int8_t* q, int64_t k);

}  // namespace tern::kernels
