// The "avxvnni" level: the AVX2 level with AVX-VNNI's 256-bit vpdpbusd for the ternary kernels
// (Intel Alder Lake and later, AMD Zen 5). Built with -mavx2 -mfma -mf16c -mavxvnni.
#include "kernels/attention.h"
#include "kernels/dispatch.h"
#include "kernels/simd/ternary_simd.h"
#include "kernels/x86/x86_simd.h"
#include "kernels/simd/kernel_table_simd.h"

namespace tern::kernels::detail {
namespace {
struct Level {
  static constexpr CpuLevel level = CpuLevel::AvxVnni;
  using Float = F256;
  using QuantFloat = F256;
  using Bytes = I256;
  static constexpr auto ternary_gemm = ternary_gemm_simd<I256Vnni>;
};
constexpr KernelTable kTable = simd_kernel_table<Level>();
}  // namespace
const KernelTable& avxvnni_table() { return kTable; }
}  // namespace tern::kernels::detail
