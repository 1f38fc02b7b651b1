#include "kernels/dispatch.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "kernels/attention.h"
#include "kernels/float_dot.h"
#include "kernels/float_ops.h"
#include "kernels/fp16.h"

namespace tern::kernels {
namespace detail {

const KernelTable& scalar_table() {
  static const KernelTable t = [] {
    KernelTable k;
    k.level = CpuLevel::Scalar;
    k.quantize_act_i8 = quantize_act_i8;
    k.ternary_gemm = ternary_gemm_ref;
    k.f16_gemm = f16_gemm_ref;
    k.f32_gemm = f32_gemm_ref;
    k.q8_0_gemm = q8_0_gemm_ref;
    k.attn_scores = attn_scores_ref;
    k.softmax = softmax_inplace;
    k.attn_values = attn_values_ref;
    k.xor_words = xor_words_ref;
    k.q8_0_quantize = q8_0_quantize;
    k.fp16_to_f32_row = fp16_to_f32_row;
    k.attn_scores_group = attn_scores_group_ref;
    k.attn_values_group = attn_values_group_ref;
    k.attn_scores_group_f16 = attn_scores_group_f16_ref;
    k.attn_values_group_f16 = attn_values_group_f16_ref;
    return k;
  }();
  return t;
}

}  // namespace detail

namespace {

// The level named by TERN_CPU (lowered to what this CPU supports), else the best one.
CpuLevel initial_level() {
  const char* env = std::getenv("TERN_CPU");
  if (!env || !*env) return best_cpu_level();
  const std::optional<CpuLevel> want = cpu_level_from_name(env);
  if (!want) {
    std::fprintf(stderr, "tern: ignoring unknown TERN_CPU=%s (use scalar, sse4, avx2, avxvnni, avx512, "
                         "avx512vnni, neon or dotprod)\n", env);
    return best_cpu_level();
  }
  const CpuLevel got = cpu_level_at_most(*want);
  if (got != *want)
    std::fprintf(stderr, "tern: TERN_CPU=%s is not supported by this CPU or build; using %s\n", env,
                 cpu_level_name(got));
  return got;
}

std::atomic<const KernelTable*>& active_slot() {
  static std::atomic<const KernelTable*> slot{&kernel_table(initial_level())};
  return slot;
}

}  // namespace

const KernelTable& kernel_table(CpuLevel level) {
  if (!cpu_level_supported(level))
    throw std::invalid_argument(std::string("CPU level '") + cpu_level_name(level) +
                                "' is not supported by this CPU or build");
  switch (level) {
#if defined(TERN_HAVE_SSE4)
    case CpuLevel::Sse4: return detail::sse4_table();
#endif
#if defined(TERN_HAVE_AVX2)
    case CpuLevel::Avx2: return detail::avx2_table();
#endif
#if defined(TERN_HAVE_AVXVNNI)
    case CpuLevel::AvxVnni: return detail::avxvnni_table();
#endif
#if defined(TERN_HAVE_AVX512)
    case CpuLevel::Avx512: return detail::avx512_table();
#endif
#if defined(TERN_HAVE_AVX512VNNI)
    case CpuLevel::Avx512Vnni: return detail::avx512vnni_table();
#endif
#if defined(TERN_HAVE_NEON)
    case CpuLevel::Neon: return detail::neon_table();
#endif
#if defined(TERN_HAVE_NEONDOT)
    case CpuLevel::NeonDot: return detail::neondot_table();
#endif
    default: return detail::scalar_table();
  }
}

const KernelTable& active_kernels() { return *active_slot().load(std::memory_order_acquire); }

CpuLevel set_active_cpu_level(CpuLevel level) {
  const CpuLevel got = cpu_level_at_most(level);
  active_slot().store(&kernel_table(got), std::memory_order_release);
  return got;
}

}  // namespace tern::kernels
