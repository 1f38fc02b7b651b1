// The "sse4" level: SSSE3 + SSE4.1, 128-bit vectors. Built with -mssse3 -msse4.1 only.
#include "kernels/attention.h"
#include "kernels/dispatch.h"
#include "kernels/simd/attention_simd.h"
#include "kernels/simd/float_simd.h"
#include "kernels/simd/ternary_simd.h"
#include "kernels/x86/x86_simd.h"

namespace tern::kernels::detail {
namespace {
const KernelTable kTable = {
    CpuLevel::Sse4,
    quantize_act_i8_simd<F128>,
    ternary_gemm_simd<I128>,
    float_gemm_simd<F128, true>,
    float_gemm_simd<F128, false>,
    q8_0_gemm_simd<F128>,
    attn_scores_simd<F128>,
    softmax_simd<F128>,
    attn_values_simd<F128>,
    xor_words_simd<I128>,
    q8_0_quantize_simd<F128>,
    fp16_to_f32_row_simd<F128>,
    attn_scores_group_simd<F128>,
    attn_values_group_simd<F128>,
};
}  // namespace
const KernelTable& sse4_table() { return kTable; }
}  // namespace tern::kernels::detail
