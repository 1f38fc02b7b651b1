// Instruction-set levels the kernels are compiled for, and which of them this CPU can run.
//
// One binary carries every level (each SIMD level lives in its own translation unit built with
// its own compiler flags, see kernels/CMakeLists.txt) and picks the best one at run time. The
// environment variable TERN_CPU=<level name> forces a lower level, for tests and comparisons.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace tern::kernels {

// Ordered from least to most capable within each architecture family.
enum class CpuLevel : int {
  Scalar = 0,   // portable C++ (the reference kernels); always available
  Sse4,         // x86: SSSE3 + SSE4.1, 128-bit
  Avx2,         // x86: AVX2 + FMA + F16C, 256-bit
  AvxVnni,      // x86: AVX2 level plus AVX-VNNI (256-bit vpdpbusd; Alder Lake and later)
  Avx512,       // x86: AVX-512 F/BW/VL/DQ plus F16C/FMA
  Avx512Vnni,   // x86: AVX-512 level plus AVX512-VNNI
  Neon,         // AArch64: Advanced SIMD (baseline on every AArch64 CPU)
  NeonDot,      // AArch64: NEON plus the dot-product extension (sdot, ARMv8.2+)
};

// "scalar", "sse4", "avx2", "avxvnni", "avx512", "avx512vnni", "neon", "dotprod".
const char* cpu_level_name(CpuLevel level);
std::optional<CpuLevel> cpu_level_from_name(std::string_view name);

// True if this binary contains the level's kernels and this CPU (and OS) can execute them.
bool cpu_level_supported(CpuLevel level);
// Every supported level, scalar first, best last.
std::vector<CpuLevel> supported_cpu_levels();
// The best supported level.
CpuLevel best_cpu_level();

// The level to use when asked for `requested`: requested itself if supported, otherwise the
// highest supported level ordered below it (e.g. avx512 on an AVX2-only CPU -> avx2). A level of
// the other architecture family (neon on x86) gives scalar.
CpuLevel cpu_level_at_most(CpuLevel requested);

// A one-line description of this CPU's relevant features, for tools ("avx2 fma f16c ...").
std::string_view cpu_feature_summary();

}  // namespace tern::kernels
