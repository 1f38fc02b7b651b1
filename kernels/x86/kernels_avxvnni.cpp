// The "avxvnni" level: the AVX2 level with AVX-VNNI's 256-bit vpdpbusd for the ternary kernels
// (Intel Alder Lake and later, AMD Zen 5). Built with -mavx2 -mfma -mf16c -mavxvnni.
#include "kernels/attention.h"
#include "kernels/dispatch.h"
#include "kernels/simd/ternary_simd.h"
#include "kernels/x86/x86_simd.h"
#include "kernels/x86/ternary_vnni.h"
#include "kernels/simd/kernel_table_simd.h"

namespace tern::kernels::detail {
namespace {
// Prompt processing on the repacked layout: the vpdpbusd GEMM of ternary_vnni.h, one row x 8
// tokens per tile. Measured on Zen 5 (EPYC) at the 2B4T shapes, 64 tokens: ~165 G products/s
// per core; 1 x 12 was +5 % at K = 2560 but -5 % at K = 6912, 2 x 4 and 2 x 6 no better. Decode
// (one token) and the file layout keep the generic kernels with I256Vnni (vpdpbusd too).
void ternary_gemm_level(const TernaryGemm& g, int64_t r0, int64_t r1) {
  if (g.layout == TernaryLayout::I2S_R4 && g.n_tokens > 1) ternary_gemm_vnni<Vnni256, 1, 8>(g, r0, r1);
  else ternary_gemm_simd<I256Vnni>(g, r0, r1);
}
struct Level {
  static constexpr CpuLevel level = CpuLevel::AvxVnni;
  using Float = F256;
  using QuantFloat = F256;
  using Bytes = I256;
  static constexpr auto ternary_gemm = ternary_gemm_level;
};
constexpr KernelTable kTable = simd_kernel_table<Level>();
}  // namespace
const KernelTable& avxvnni_table() { return kTable; }
}  // namespace tern::kernels::detail
