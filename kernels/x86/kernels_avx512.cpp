// The "avx512" level: AVX-512 F/BW/VL/DQ. Built with -mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx2 -mfma -mf16c.
// Ternary kernels use 512-bit row pairs (ternary_avx512.h); F16/F32 GEMM, attention and softmax
// use 512-bit float vectors; the activation quantiser and Q8_0 dot reuse the 256-bit code.
#include "kernels/attention.h"
#include "kernels/dispatch.h"
#include "kernels/x86/ternary_avx512.h"
#include "kernels/x86/x86_simd512.h"
#include "kernels/simd/kernel_table_simd.h"

namespace tern::kernels::detail {
namespace {
struct Level {
  static constexpr CpuLevel level = CpuLevel::Avx512;
  using Float = F512;
  using QuantFloat = F256;
  using Bytes = I256;
  static constexpr auto ternary_gemm = ternary_gemm_avx512<false>;
};
constexpr KernelTable kTable = simd_kernel_table<Level>();
}  // namespace
const KernelTable& avx512_table() { return kTable; }
}  // namespace tern::kernels::detail
