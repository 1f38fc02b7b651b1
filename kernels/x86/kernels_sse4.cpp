// The "sse4" level: SSSE3 + SSE4.1, 128-bit vectors. Built with -mssse3 -msse4.1 only.
#include "kernels/attention.h"
#include "kernels/dispatch.h"
#include "kernels/simd/ternary_simd.h"
#include "kernels/x86/x86_simd.h"
#include "kernels/simd/kernel_table_simd.h"

namespace tern::kernels::detail {
namespace {
struct Level {
  static constexpr CpuLevel level = CpuLevel::Sse4;
  using Float = F128;
  using QuantFloat = F128;
  using Bytes = I128;
  static constexpr auto ternary_gemm = ternary_gemm_simd<I128>;
};
constexpr KernelTable kTable = simd_kernel_table<Level>();
}  // namespace
const KernelTable& sse4_table() { return kTable; }
}  // namespace tern::kernels::detail
