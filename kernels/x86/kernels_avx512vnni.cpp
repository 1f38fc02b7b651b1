// The "avx512vnni" level: the avx512 level with AVX512-VNNI vpdpbusd for the ternary kernels.
// Built with the avx512 flags plus -mavx512vnni.
// Ternary kernels use 512-bit row pairs (ternary_avx512.h); F16/F32 GEMM, attention and softmax
// use 512-bit float vectors; the activation quantiser and Q8_0 dot reuse the 256-bit code.
#include "kernels/attention.h"
#include "kernels/dispatch.h"
#include "kernels/simd/attention_simd.h"
#include "kernels/simd/float_simd.h"
#include "kernels/x86/ternary_avx512.h"
#include "kernels/x86/x86_simd512.h"

namespace tern::kernels::detail {
namespace {
const KernelTable kTable = {
    CpuLevel::Avx512Vnni,
    quantize_act_i8_simd<F256>,
    ternary_gemm_avx512<true>,
    float_gemm_simd<F512, true>,
    float_gemm_simd<F512, false>,
    q8_0_gemm_simd<F256>,
    attn_scores_simd<F512>,
    softmax_simd<F512>,
    attn_values_simd<F512>,
    xor_words_simd<I256>,
    q8_0_quantize_simd<F256>,
    fp16_to_f32_row_simd<F512>,
    attn_scores_group_simd<F512>,
    attn_values_group_simd<F512>,
};
}  // namespace
const KernelTable& avx512vnni_table() { return kTable; }
}  // namespace tern::kernels::detail
