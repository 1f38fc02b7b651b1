// The "avx512vnni" level: the avx512 level with AVX512-VNNI vpdpbusd for the ternary kernels.
// Built with the avx512 flags plus -mavx512vnni.
// Ternary kernels use 512-bit row pairs (ternary_avx512.h); F16/F32 GEMM, attention and softmax
// use 512-bit float vectors; the activation quantiser and Q8_0 dot reuse the 256-bit code.
#include "kernels/attention.h"
#include "kernels/dispatch.h"
#include "kernels/x86/ternary_avx512.h"
#include "kernels/x86/ternary_vnni.h"
#include "kernels/x86/x86_simd512.h"
#include "kernels/simd/kernel_table_simd.h"

namespace tern::kernels::detail {
namespace {
// Prompt processing on the repacked layout: the vpdpbusd GEMM of ternary_vnni.h, both row pairs
// of a group x 8 tokens per tile (16 zmm accumulators). Measured on Zen 5 (EPYC, 2 zmm vpdpbusd
// per cycle) at the 2B4T shapes, 64 tokens: ~340 G products/s per core, against ~300 for 2 x 12
// tokens, ~260 for one pair x 16 tokens, and -5 % with 16-block slices. Decode (one token) and
// the file layout keep the row-pair kernels of ternary_avx512.h (vpdpbusd too).
void ternary_gemm_level(const TernaryGemm& g, int64_t r0, int64_t r1) {
  if (g.layout == TernaryLayout::I2S_R4 && g.n_tokens > 1) ternary_gemm_vnni<Vnni512, 2, 8>(g, r0, r1);
  else ternary_gemm_avx512<true>(g, r0, r1);
}
struct Level {
  static constexpr CpuLevel level = CpuLevel::Avx512Vnni;
  using Float = F512;
  using QuantFloat = F256;
  using Bytes = I256;
  static constexpr auto ternary_gemm = ternary_gemm_level;
};
constexpr KernelTable kTable = simd_kernel_table<Level>();
}  // namespace
const KernelTable& avx512vnni_table() { return kTable; }
}  // namespace tern::kernels::detail
