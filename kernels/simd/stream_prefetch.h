// Software prefetch for the kernels that stream their data from DRAM once per decoded token: the
// ternary GEMVs and the 8-bit output screening (and attention's F16 value sums). Those loops do
// enough vector work per byte that one core keeps too few cache misses in flight for the hardware
// prefetchers alone: on Zen 3 (AVX2) the 2B4T ternary GEMV read 15.3 GB/s from DRAM against
// 22.4 GB/s for a plain read loop, and 19.5 GB/s with a prefetch 4 KiB ahead of the stream
// (tern-kernel-bench, "cold"; kernels/README.md, "Decode from DRAM").
//
// A prefetch never faults, so asking for lines past the end of a matrix is harmless (a few lines
// wasted). Their addresses are computed as integers: a pointer that far past an array's end would
// be undefined behaviour even if never dereferenced.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(_MSC_VER) && !defined(__clang__) && (defined(_M_X64) || defined(_M_IX86))
#include <xmmintrin.h>
#endif

namespace tern::kernels {
namespace {

// How far ahead of the bytes being read to prefetch. 4 and 8 KiB measured alike on Zen 3, 1 KiB
// gave about half the gain and 16 KiB a little less; 4 KiB wastes the least past a row range's end.
constexpr std::ptrdiff_t kStreamPrefetchBytes = 4096;

// kToL1: into every cache level. Otherwise into L2 and not L1, for data needed once the current
// L1 working set is done with; only a hint (AMD's cores, for one, fill L1 all the same).
template <bool kToL1>
inline void prefetch_address(std::uintptr_t a) {
#if defined(_MSC_VER) && !defined(__clang__)
#if defined(_M_X64) || defined(_M_IX86)
  _mm_prefetch(reinterpret_cast<const char*>(a), kToL1 ? _MM_HINT_T0 : _MM_HINT_T1);
#else
  (void)a;  // MSVC on ARM: no portable hint; the hardware prefetchers alone
#endif
#else
  __builtin_prefetch(reinterpret_cast<const void*>(a), 0, kToL1 ? 3 : 2);
#endif
}

// Prefetches the lines of [p + ahead, p + ahead + bytes).
template <bool kToL1>
inline void prefetch_lines(const void* p, std::ptrdiff_t ahead, std::ptrdiff_t bytes) {
  const std::uintptr_t a = reinterpret_cast<std::uintptr_t>(p) + static_cast<std::uintptr_t>(ahead);
  for (std::ptrdiff_t off = 0; off < bytes; off += 64) prefetch_address<kToL1>(a + static_cast<std::uintptr_t>(off));
}

// For a forward stream read `bytes` at a time: call once per step, p being where the loop reads.
inline void prefetch_ahead(const void* p, std::ptrdiff_t bytes) { prefetch_lines<true>(p, kStreamPrefetchBytes, bytes); }

}  // namespace
}  // namespace tern::kernels
