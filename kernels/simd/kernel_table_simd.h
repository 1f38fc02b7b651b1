// The one definition of a SIMD level's KernelTable (kernels/dispatch.h): every level fills its
// table through simd_kernel_table<Level>(), so a new kernel is added to all levels here, by
// name, instead of in one positional initialiser per level. A level describes itself with a
// traits struct:
//
//   struct Level {
//     static constexpr CpuLevel level = CpuLevel::...;
//     using Float = ...;       // float traits of the float GEMMs, attention, softmax, F16 rows
//     using QuantFloat = ...;  // float traits of the int8/Q8_0 quantisers and the Q8_0 GEMM
//     using Bytes = ...;       // integer traits of the bandwidth loop (xor_words)
//     static constexpr auto ternary_gemm = ...;  // the level's ternary GEMM
//   };
//
// Included by the per-level translation units only, after the simd headers and the level's
// vector traits, and like them in an anonymous namespace: each level instantiates the kernels
// with its own compiler flags (see kernels/x86/x86_simd.h). constexpr, so the tables are
// constant-initialised and usable from any static initialiser.
#pragma once

#include "kernels/dispatch.h"
#include "kernels/simd/attention_simd.h"
#include "kernels/simd/float_simd.h"

namespace tern::kernels {
namespace {

template <class Level>
constexpr KernelTable simd_kernel_table() {
  using F = typename Level::Float;
  using Q = typename Level::QuantFloat;
  KernelTable k;
  k.level = Level::level;
  k.quantize_act_i8 = quantize_act_i8_simd<Q>;
  k.ternary_gemm = Level::ternary_gemm;
  k.f16_gemm = float_gemm_simd<F, true>;
  k.f32_gemm = float_gemm_simd<F, false>;
  k.q8_0_gemm = q8_0_gemm_simd<Q>;
  k.attn_scores = attn_scores_simd<F>;
  k.softmax = softmax_simd<F>;
  k.attn_values = attn_values_simd<F>;
  k.xor_words = xor_words_simd<typename Level::Bytes>;
  k.q8_0_quantize = q8_0_quantize_simd<Q>;
  k.fp16_to_f32_row = fp16_to_f32_row_simd<F>;
  k.attn_scores_group = attn_scores_group_simd<F>;
  k.attn_values_group = attn_values_group_simd<F>;
  k.attn_scores_group_f16 = attn_scores_group_simd<F, uint16_t>;
  k.attn_values_group_f16 = attn_values_group_simd<F, uint16_t>;
  return k;
}

}  // namespace
}  // namespace tern::kernels
