// The "avx512vnni" level: the avx512 level with AVX512-VNNI vpdpbusd for the ternary kernels.
// Built with the avx512 flags plus -mavx512vnni.
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
  static constexpr CpuLevel level = CpuLevel::Avx512Vnni;
  using Float = F512;
  using QuantFloat = F256;
  using Bytes = I256;
  static constexpr auto ternary_gemm = ternary_gemm_avx512<true>;
};
constexpr KernelTable kTable = simd_kernel_table<Level>();
}  // namespace
const KernelTable& avx512vnni_table() { return kTable; }
}  // namespace tern::kernels::detail
