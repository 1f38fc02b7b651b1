// Packing and unpacking of the three ternary weight encodings (scalar reference).
//
// Ternary values t are int8 in {-1, 0, +1}, row-major, n values in total. The byte layouts, with
// their upstream sources, are described in kernels/ternary-formats.md; in short:
//
// I2_S  (bitnet.cpp): 128-value blocks of 32 bytes; byte j of a block holds values j, j+32, j+64,
//       j+96 in bits 7..6, 5..4, 3..2, 1..0 (MSB-first); code = t + 1. After the n/4 packed
//       bytes comes a 32-byte tail whose first 4 bytes are the per-tensor float32 scale
//       (little-endian; the engine only targets little-endian hosts). Rows of a matrix start
//       at byte r*K/4 because K is a multiple of 128.
// TQ2_0 (ggml): 256-value blocks of 66 bytes: qs[64], fp16 d. qs[0..31] covers values 0..127,
//       qs[32..63] values 128..255; inside each half byte m holds values m, m+32, m+64, m+96 in
//       bits 1..0, 3..2, 5..4, 7..6 (LSB-first); code = t + 1.
// TQ1_0 (ggml): 256-value blocks of 54 bytes: qs[48], qh[4], fp16 d. qs[0..31] hold 5 trits
//       each (values m + 32n, n = 0..4, of the first 160), qs[32..47] 5 trits each (values
//       160 + m + 16n of the next 80), qh[0..3] 4 trits each (values 240 + j + 4m). Each byte is
//       ceil(v * 256 / 243) where v is the base-3 number of the codes, first value most
//       significant (qh: times an extra 3 so its first trit sits in the same place).
//
// Invalid 2-bit code 3 (I2_S, TQ2_0) unpacks as 0, see kernels/ternary_codes.h. Every TQ1_0
// byte decodes to valid trits.
//
// Preconditions are checked (these are cold paths): n must be a non-negative multiple of 128
// (I2_S) or 256 (TQ*), and pack inputs must be in {-1, 0, +1}; violations throw
// std::invalid_argument.
#pragma once

#include <cstdint>

namespace tern::kernels {

// ---- I2_S ----
// Bytes of a whole I2_S tensor of n values: n/4 + 32.
uint64_t i2s_nbytes(int64_t n);
// Writes i2s_nbytes(n) bytes: packed codes, then the scale, then 28 zero bytes.
void i2s_pack(const int8_t* t, int64_t n, float scale, uint8_t* dst);
// Reads i2s_nbytes(n) bytes, writes n values to t and returns the tensor scale.
float i2s_unpack(const uint8_t* src, int64_t n, int8_t* t);

// ---- TQ2_0 ----
// Packs ternary values; every block's d is f32_to_fp16(d).
void tq2_0_pack(const int8_t* t, int64_t n, float d, uint8_t* dst);
// ggml's quantize_row_tq2_0_ref: per block d = max|x|, t = round(x / d) (half away from zero).
void tq2_0_quantize(const float* x, int64_t n, uint8_t* dst);
// Writes n values to t and, if d_per_block is not null, the n/256 block scales (as float).
void tq2_0_unpack(const uint8_t* src, int64_t n, int8_t* t, float* d_per_block);

// ---- TQ1_0 ----
void tq1_0_pack(const int8_t* t, int64_t n, float d, uint8_t* dst);
// ggml's quantize_row_tq1_0_ref: per block d = max|x|, t = round(x / d) (half away from zero).
void tq1_0_quantize(const float* x, int64_t n, uint8_t* dst);
void tq1_0_unpack(const uint8_t* src, int64_t n, int8_t* t, float* d_per_block);

}  // namespace tern::kernels
