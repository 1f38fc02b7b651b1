// The "neon" level: NEON (Advanced SIMD, the AArch64 baseline). No extra flags.
// Compiled only for AArch64 (kernels/CMakeLists.txt); on x86 tested under qemu-user (ctest
// kernels.aarch64, tests/kernels/aarch64/).
#include "kernels/arm/neon_simd.h"
#include "kernels/attention.h"
#include "kernels/dispatch.h"
#include "kernels/simd/attention_simd.h"
#include "kernels/simd/float_simd.h"
#include "kernels/simd/ternary_simd.h"


namespace tern::kernels::detail {
namespace {
using F = FNeonT<INeon>;
const KernelTable kTable = {
    CpuLevel::Neon,
    quantize_act_i8_simd<F>,
    ternary_gemm_simd<INeon>,
    float_gemm_simd<F, true>,
    float_gemm_simd<F, false>,
    q8_0_gemm_simd<F>,
    attn_scores_simd<F>,
    softmax_simd<F>,
    attn_values_simd<F>,
    xor_words_simd<INeon>,
    q8_0_quantize_simd<F>,
    fp16_to_f32_row_simd<F>,
    attn_scores_group_simd<F>,
    attn_values_group_simd<F>,
};
}  // namespace
const KernelTable& neon_table() { return kTable; }
}  // namespace tern::kernels::detail
