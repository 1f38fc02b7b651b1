// The "avx2" level: AVX2 + FMA + F16C, 256-bit vectors. Built with -mavx2 -mfma -mf16c.
#include "kernels/attention.h"
#include "kernels/dispatch.h"
#include "kernels/simd/attention_simd.h"
#include "kernels/simd/float_simd.h"
#include "kernels/simd/ternary_simd.h"
#include "kernels/x86/x86_simd.h"

namespace tern::kernels::detail {
namespace {
const KernelTable kTable = {
    CpuLevel::Avx2,
    quantize_act_i8_simd<F256>,
    ternary_gemm_simd<I256>,
    float_gemm_simd<F256, true>,
    float_gemm_simd<F256, false>,
    q8_0_gemm_simd<F256>,
    attn_scores_simd<F256>,
    softmax_simd<F256>,
    attn_values_simd<F256>,
    xor_words_simd<I256>,
    q8_0_quantize_simd<F256>,
    fp16_to_f32_row_simd<F256>,
    attn_scores_group_simd<F256>,
    attn_values_group_simd<F256>,
};
}  // namespace
const KernelTable& avx2_table() { return kTable; }
}  // namespace tern::kernels::detail
