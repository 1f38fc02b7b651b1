// The "dotprod" level: NEON plus the dot-product extension (sdot). Built with
// -march=armv8.2-a+dotprod.
// Compiled only for AArch64 (kernels/CMakeLists.txt); on x86 tested under qemu-user (ctest
// kernels.aarch64, tests/kernels/aarch64/).
#include "kernels/arm/neon_simd.h"
#include "kernels/attention.h"
#include "kernels/dispatch.h"
#include "kernels/simd/attention_simd.h"
#include "kernels/simd/float_simd.h"
#include "kernels/simd/ternary_simd.h"

#if !defined(__ARM_FEATURE_DOTPROD)
#error "kernels_neondot.cpp needs the dot-product extension (-march=armv8.2-a+dotprod)"
#endif

namespace tern::kernels::detail {
namespace {
using F = FNeonT<INeonDot>;
const KernelTable kTable = {
    CpuLevel::NeonDot,
    quantize_act_i8_simd<F>,
    ternary_gemm_simd<INeonDot>,
    float_gemm_simd<F, true>,
    float_gemm_simd<F, false>,
    q8_0_gemm_simd<F>,
    attn_scores_simd<F>,
    softmax_simd<F>,
    attn_values_simd<F>,
    xor_words_simd<INeonDot>,
    q8_0_quantize_simd<F>,
    fp16_to_f32_row_simd<F>,
    attn_scores_group_simd<F>,
    attn_values_group_simd<F>,
};
}  // namespace
const KernelTable& neondot_table() { return kTable; }
}  // namespace tern::kernels::detail
