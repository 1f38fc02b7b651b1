// Run-time dispatch: one table of kernel function pointers per CPU level, chosen once.
//
// Engine code calls active_kernels().xxx(...). The table is picked on first use: the best level
// this CPU supports, or a lower one named by the environment variable TERN_CPU (scalar, sse4,
// avx2, avxvnni, avx512, avx512vnni, neon, dotprod). Every level computes the same results as
// the scalar references (bit-identical for integer kernels, within the tolerances documented in
// the kernel headers for float ones), and reads the same weight layouts, so the level can be
// switched while a model is loaded (tern-bench compares levels in one run that way).
#pragma once

#include <cstdint>

#include "kernels/act_quant.h"
#include "kernels/cpu.h"
#include "kernels/float_gemm.h"
#include "kernels/ternary_gemm.h"

namespace tern::kernels {

struct KernelTable {
  CpuLevel level = CpuLevel::Scalar;
  // Bit-identical to quantize_act_i8 (kernels/act_quant.h).
  ActQuant (*quantize_act_i8)(const float* x, int8_t* q, int64_t n) = nullptr;
  void (*ternary_gemm)(const TernaryGemm& g, int64_t r0, int64_t r1) = nullptr;
  void (*f16_gemm)(const FloatGemm& g, int64_t r0, int64_t r1) = nullptr;
  void (*f32_gemm)(const FloatGemm& g, int64_t r0, int64_t r1) = nullptr;
  void (*q8_0_gemm)(const Q8Gemm& g, int64_t r0, int64_t r1) = nullptr;
  // Attention (kernels/attention.h, softmax_inplace).
  void (*attn_scores)(const float* q, const float* k, int64_t k_stride, int n_pos, int hd, float scale,
                      float* scores) = nullptr;
  void (*softmax)(float* x, int64_t n) = nullptr;
  void (*attn_values)(const float* w, const float* v, int64_t v_stride, int n_pos, int hd, float* out) = nullptr;
  uint64_t (*xor_words)(const uint8_t* p, uint64_t n) = nullptr;
  // Bit-identical to q8_0_quantize (kernels/float_dot.h; n a multiple of 32, not checked here)
  // and fp16_to_f32_row (kernels/fp16.h; F16C hardware may return a signalling NaN quieted):
  // the load-time requantisation to 8 bits.
  void (*q8_0_quantize)(const float* x, int64_t n, uint8_t* dst) = nullptr;
  void (*fp16_to_f32_row)(const uint16_t* h, float* y, int64_t n) = nullptr;
  // Grouped-query attention (kernels/attention.h): per head identical to attn_scores/attn_values.
  void (*attn_scores_group)(const float* q, int64_t q_stride, int n_q, const float* k, int64_t k_stride, int n_pos,
                            int hd, float scale, float* scores, int64_t s_stride) = nullptr;
  void (*attn_values_group)(const float* w, int64_t w_stride, int n_q, const float* v, int64_t v_stride, int n_pos,
                            int hd, float* out, int64_t out_stride) = nullptr;
  // The same over an F16 KV cache (keys/values IEEE halves): bit-identical to the F32 grouped
  // kernels of the level on the widened rows.
  void (*attn_scores_group_f16)(const float* q, int64_t q_stride, int n_q, const uint16_t* k, int64_t k_stride,
                                int n_pos, int hd, float scale, float* scores, int64_t s_stride) = nullptr;
  void (*attn_values_group_f16)(const float* w, int64_t w_stride, int n_q, const uint16_t* v, int64_t v_stride,
                                int n_pos, int hd, float* out, int64_t out_stride) = nullptr;
};

// The table of a supported level (throws std::invalid_argument for an unsupported one).
const KernelTable& kernel_table(CpuLevel level);

// The table in use. Cheap: one atomic load.
const KernelTable& active_kernels();
inline CpuLevel active_cpu_level() { return active_kernels().level; }
// Switches the table in use (benchmarks, tests). Must not race with running kernels. Returns the
// level actually chosen: cpu_level_at_most(level).
CpuLevel set_active_cpu_level(CpuLevel level);

// Per-level tables, defined in the level's own translation unit (compiled with its flags).
namespace detail {
const KernelTable& scalar_table();
const KernelTable& sse4_table();
const KernelTable& avx2_table();
const KernelTable& avxvnni_table();
const KernelTable& avx512_table();
const KernelTable& avx512vnni_table();
const KernelTable& neon_table();
const KernelTable& neondot_table();
}  // namespace detail

}  // namespace tern::kernels
