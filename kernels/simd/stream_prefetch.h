// Software prefetch for the kernels that stream a matrix from DRAM once per decoded token (the
// ternary GEMVs, the 8-bit output screening; attention's F16 values, attention_simd.h). Those loops do enough vector work per byte that
// one core keeps too few cache misses in flight for the hardware prefetchers alone: on Zen 3
// (AVX2) the 2B4T ternary GEMV read 15.3 GB/s from DRAM against 22.4 GB/s for a plain read
// loop, and 19.8 GB/s with a prefetch 4 KiB ahead of the stream (tern-kernel-bench, "cold").
// A prefetch never faults, so running past the end of a matrix is harmless (a few lines wasted).
#pragma once

#if defined(_MSC_VER) && !defined(__clang__) && (defined(_M_X64) || defined(_M_IX86))
#include <xmmintrin.h>
#endif

namespace tern::kernels {
namespace {

// How far ahead of the bytes being read to prefetch. 4 and 8 KiB measured alike on Zen 3, 1 KiB
// gave about half the gain and 16 KiB a little less; 4 KiB wastes the least past a row range's end.
constexpr long kStreamPrefetchBytes = 4096;

// Asks for the cache line holding p (read, keep in all levels).
inline void prefetch_line(const void* p) {
#if defined(_MSC_VER) && !defined(__clang__)
#if defined(_M_X64) || defined(_M_IX86)
  _mm_prefetch(static_cast<const char*>(p), _MM_HINT_T0);
#else
  (void)p;  // MSVC on ARM: no portable hint; the hardware prefetchers alone
#endif
#else
  __builtin_prefetch(p, 0, 3);
#endif
}

// Prefetches the lines of [p + ahead, p + ahead + bytes): call once per `bytes` of a forward
// stream, p being where the loop reads now.
inline void prefetch_ahead(const void* p, long bytes) {
  const char* c = static_cast<const char*>(p) + kStreamPrefetchBytes;
  for (long off = 0; off < bytes; off += 64) prefetch_line(c + off);
}

// Asks for the cache line holding p into L2, not L1, for data needed once the current L1 working
// set is done with. Only a hint: AMD's cores, for one, fill L1 all the same.
inline void prefetch_line_l2(const void* p) {
#if defined(_MSC_VER) && !defined(__clang__)
#if defined(_M_X64) || defined(_M_IX86)
  _mm_prefetch(static_cast<const char*>(p), _MM_HINT_T1);
#else
  (void)p;
#endif
#else
  __builtin_prefetch(p, 0, 2);
#endif
}

// Prefetches the lines of [p, p + bytes) into L2.
inline void prefetch_span_l2(const void* p, long bytes) {
  const char* c = static_cast<const char*>(p);
  for (long off = 0; off < bytes; off += 64) prefetch_line_l2(c + off);
}

}  // namespace
}  // namespace tern::kernels
