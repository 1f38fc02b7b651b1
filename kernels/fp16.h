// Half-precision conversions: IEEE binary16 ("fp16") and bfloat16 ("bf16") <-> float.
//
// These are the scalar reference versions. fp16 -> float goes through a 65536-entry table
// (256 KiB, built once on first use, thread-safe) because the F16 output matrix of a 2B model
// is ~328M values per token and a table load is cheaper than the bit fiddling.
#pragma once

#include <cstdint>

namespace tern::kernels {

// Exact (every fp16 value, including subnormals, +-inf and NaN payloads, is representable).
float fp16_to_f32(uint16_t h);

// Round to nearest, ties to even. Overflow (|x| >= 65520) gives +-inf; values below half the
// smallest subnormal give +-0. NaN stays NaN: the top 10 mantissa bits are kept and, if they are
// all zero, the quiet bit is set so the result cannot turn into inf. This makes
// f32_to_fp16(fp16_to_f32(h)) == h for all 65536 h, NaNs included.
uint16_t f32_to_fp16(float x);

// bf16 is the top half of a float, so widening is exact.
float bf16_to_f32(uint16_t b);

// Round to nearest, ties to even; NaN handled like f32_to_fp16 (payload kept, quiet bit set only
// when the kept payload would be zero).
uint16_t f32_to_bf16(float x);

// y[i] = fp16_to_f32(h[i]) for i in [0, n).
void fp16_to_f32_row(const uint16_t* h, float* y, int64_t n);

namespace detail {
// The shared fp16 -> float table (65536 entries). Hot loops (dot_f16_f32) fetch the pointer once
// instead of paying the function-local-static guard per element.
const float* fp16_table();
}  // namespace detail

}  // namespace tern::kernels
