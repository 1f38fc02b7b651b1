// The "dotprod" level: NEON plus the dot-product extension (sdot). Built with
// -march=armv8.2-a+dotprod.
// Compiled only for AArch64 (kernels/CMakeLists.txt); on x86 tested under qemu-user (ctest
// kernels.aarch64, tests/kernels/aarch64/).
#include "kernels/arm/neon_simd.h"
#include "kernels/attention.h"
#include "kernels/dispatch.h"
#include "kernels/simd/ternary_simd.h"
#include "kernels/simd/kernel_table_simd.h"

#if !defined(__ARM_FEATURE_DOTPROD)
#error "kernels_neondot.cpp needs the dot-product extension (-march=armv8.2-a+dotprod)"
#endif

namespace tern::kernels::detail {
namespace {
using F = FNeonT<INeonDot>;
struct Level {
  static constexpr CpuLevel level = CpuLevel::NeonDot;
  using Float = F;
  using QuantFloat = F;
  using Bytes = INeonDot;
  static constexpr auto ternary_gemm = ternary_gemm_simd<INeonDot>;
};
constexpr KernelTable kTable = simd_kernel_table<Level>();
}  // namespace
const KernelTable& neondot_table() { return kTable; }
}  // namespace tern::kernels::detail
