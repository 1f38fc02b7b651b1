// The "neon" level: NEON (Advanced SIMD, the AArch64 baseline). No extra flags.
// Compiled only for AArch64 (kernels/CMakeLists.txt); on x86 tested under qemu-user (ctest
// kernels.aarch64, tests/kernels/aarch64/).
#include "kernels/arm/neon_simd.h"
#include "kernels/attention.h"
#include "kernels/dispatch.h"
#include "kernels/simd/ternary_simd.h"
#include "kernels/simd/kernel_table_simd.h"


namespace tern::kernels::detail {
namespace {
using F = FNeonT<INeon>;
struct Level {
  static constexpr CpuLevel level = CpuLevel::Neon;
  using Float = F;
  using QuantFloat = F;
  using Bytes = INeon;
  static constexpr auto ternary_gemm = ternary_gemm_simd<INeon>;
};
constexpr KernelTable kTable = simd_kernel_table<Level>();
}  // namespace
const KernelTable& neon_table() { return kTable; }
}  // namespace tern::kernels::detail
