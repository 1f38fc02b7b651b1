#include "kernels/cpu.h"

#include <string>

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#define TERN_HOST_X86 1
#if defined(_MSC_VER)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#elif defined(__aarch64__) || defined(_M_ARM64)
#define TERN_HOST_ARM64 1
#if defined(__linux__)
#include <sys/auxv.h>
#elif defined(__APPLE__)
#include <sys/sysctl.h>
#elif defined(_WIN32)
#ifndef NOMINMAX
#define NOMINMAX  // windows.h's min/max macros would break std::min/std::max
#endif
#include <windows.h>
#endif
#endif

namespace tern::kernels {
namespace {

struct Features {
  bool ssse3 = false, sse41 = false, avx2 = false, fma = false, f16c = false;
  bool avx512 = false;  // F + BW + VL + DQ, with the OS saving the zmm state
  bool avx512vnni = false, avxvnni = false;
  bool neon = false, dotprod = false;
  std::string summary;
};

#if TERN_HOST_X86
void cpuid(unsigned leaf, unsigned sub, unsigned r[4]) {
#if defined(_MSC_VER)
  int v[4];
  __cpuidex(v, (int)leaf, (int)sub);
  for (int i = 0; i < 4; ++i) r[i] = (unsigned)v[i];
#else
  __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
#endif
}

unsigned long long xgetbv0() {
#if defined(_MSC_VER)
  return _xgetbv(0);
#else
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((unsigned long long)hi << 32) | lo;
#endif
}
#endif

Features detect() {
  Features f;
#if TERN_HOST_X86
  unsigned r[4];
  cpuid(0, 0, r);
  const unsigned max_leaf = r[0];
  cpuid(1, 0, r);
  const unsigned ecx1 = r[2];
  f.ssse3 = ecx1 & (1u << 9);
  f.sse41 = ecx1 & (1u << 19);
  f.fma = ecx1 & (1u << 12);
  f.f16c = ecx1 & (1u << 29);
  const bool osxsave = ecx1 & (1u << 27), avx = ecx1 & (1u << 28);
  // The OS must save the wider registers on context switches, or using them corrupts state.
  const unsigned long long xcr0 = osxsave ? xgetbv0() : 0;
  const bool ymm_os = (xcr0 & 0x6) == 0x6, zmm_os = (xcr0 & 0xE6) == 0xE6;
  if (max_leaf >= 7) {
    cpuid(7, 0, r);
    const unsigned ebx7 = r[1], ecx7 = r[2], eax7 = r[0];
    const bool avx2 = ebx7 & (1u << 5);
    f.avx2 = avx && avx2 && ymm_os;
    const bool f512 = ebx7 & (1u << 16), dq = ebx7 & (1u << 17), bw = ebx7 & (1u << 30), vl = ebx7 & (1u << 31);
    f.avx512 = f.avx2 && zmm_os && f512 && dq && bw && vl;
    f.avx512vnni = f.avx512 && (ecx7 & (1u << 11));
    if (eax7 >= 1) {
      cpuid(7, 1, r);
      f.avxvnni = f.avx2 && (r[0] & (1u << 4));
    }
  }
  f.fma = f.fma && ymm_os;
  f.f16c = f.f16c && ymm_os;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (!f.summary.empty()) f.summary += ' ';
    f.summary += name;
  };
  add(f.ssse3, "ssse3");
  add(f.sse41, "sse4.1");
  add(f.avx2, "avx2");
  add(f.fma, "fma");
  add(f.f16c, "f16c");
  add(f.avxvnni, "avx-vnni");
  add(f.avx512, "avx512f/bw/vl/dq");
  add(f.avx512vnni, "avx512-vnni");
#elif TERN_HOST_ARM64
  f.neon = true;  // Advanced SIMD is mandatory on AArch64
#if defined(__linux__)
  f.dotprod = getauxval(AT_HWCAP) & (1ul << 20);  // HWCAP_ASIMDDP
#elif defined(__APPLE__)
  int v = 0;
  size_t len = sizeof v;
  if (sysctlbyname("hw.optional.arm.FEAT_DotProd", &v, &len, nullptr, 0) == 0) f.dotprod = v != 0;
#elif defined(_WIN32)
  f.dotprod = IsProcessorFeaturePresent(PF_ARM_V82_DP_INSTRUCTIONS_AVAILABLE);
#endif
  f.summary = f.dotprod ? "neon dotprod" : "neon";
#endif
  if (f.summary.empty()) f.summary = "(no SIMD features used)";
  return f;
}

const Features& features() {
  static const Features f = detect();
  return f;
}

constexpr const char* kNames[] = {"scalar", "sse4", "avx2", "avxvnni", "avx512", "avx512vnni", "neon", "dotprod"};
constexpr int kLevelCount = 8;

bool is_x86_level(CpuLevel l) { return l >= CpuLevel::Sse4 && l <= CpuLevel::Avx512Vnni; }

}  // namespace

const char* cpu_level_name(CpuLevel level) {
  const int i = static_cast<int>(level);
  return i >= 0 && i < kLevelCount ? kNames[i] : "?";
}

std::optional<CpuLevel> cpu_level_from_name(std::string_view name) {
  for (int i = 0; i < kLevelCount; ++i)
    if (name == kNames[i]) return static_cast<CpuLevel>(i);
  if (name == "neondot" || name == "neon-dotprod") return CpuLevel::NeonDot;
  return std::nullopt;
}

bool cpu_level_supported(CpuLevel level) {
  const Features& f = features();
  (void)f;  // unused when no SIMD level is built
  switch (level) {
    case CpuLevel::Scalar: return true;
    // A level counts only if its translation unit was built (TERN_HAVE_*, set by CMake).
#if defined(TERN_HAVE_SSE4)
    case CpuLevel::Sse4: return f.ssse3 && f.sse41;
#endif
#if defined(TERN_HAVE_AVX2)
    case CpuLevel::Avx2: return f.avx2 && f.fma && f.f16c;
#endif
#if defined(TERN_HAVE_AVXVNNI)
    case CpuLevel::AvxVnni: return f.avx2 && f.fma && f.f16c && f.avxvnni;
#endif
#if defined(TERN_HAVE_AVX512)
    case CpuLevel::Avx512: return f.avx512 && f.fma && f.f16c;
#endif
#if defined(TERN_HAVE_AVX512VNNI)
    case CpuLevel::Avx512Vnni: return f.avx512vnni && f.fma && f.f16c;
#endif
#if defined(TERN_HAVE_NEON)
    case CpuLevel::Neon: return f.neon;
#endif
#if defined(TERN_HAVE_NEONDOT)
    case CpuLevel::NeonDot: return f.neon && f.dotprod;
#endif
    default: return false;
  }
}

std::vector<CpuLevel> supported_cpu_levels() {
  std::vector<CpuLevel> out;
  for (int i = 0; i < kLevelCount; ++i)
    if (cpu_level_supported(static_cast<CpuLevel>(i))) out.push_back(static_cast<CpuLevel>(i));
  return out;
}

CpuLevel best_cpu_level() { return supported_cpu_levels().back(); }

CpuLevel cpu_level_at_most(CpuLevel requested) {
  if (cpu_level_supported(requested)) return requested;
  const bool x86 = is_x86_level(requested);
  for (int i = static_cast<int>(requested) - 1; i > 0; --i) {
    const CpuLevel l = static_cast<CpuLevel>(i);
    if (is_x86_level(l) == x86 && cpu_level_supported(l)) return l;
  }
  return CpuLevel::Scalar;
}

std::string_view cpu_feature_summary() { return features().summary; }

}  // namespace tern::kernels
