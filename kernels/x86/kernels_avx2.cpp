// The "avx2" level: AVX2 + FMA + F16C, 256-bit vectors. Built with -mavx2 -mfma -mf16c.
#include "kernels/attention.h"
#include "kernels/dispatch.h"
#include "kernels/simd/ternary_simd.h"
#include "kernels/x86/x86_simd.h"
#include "kernels/simd/kernel_table_simd.h"

namespace tern::kernels::detail {
namespace {
struct Level {
  static constexpr CpuLevel level = CpuLevel::Avx2;
  using Float = F256;
  using QuantFloat = F256;
  using Bytes = I256;
  static constexpr auto ternary_gemm = ternary_gemm_simd<I256>;
};
constexpr KernelTable kTable = simd_kernel_table<Level>();
}  // namespace
const KernelTable& avx2_table() { return kTable; }
}  // namespace tern::kernels::detail
