#pragma once
// Transparent huge pages for the weights a decode step streams (engine/model/linear.h
// WeightBuffer). With 4 KiB pages a step of 2B4T walks the page tables ~200,000 times and the
// hardware prefetchers stop at every page boundary; 2 MiB pages made decode 6-10 % faster on Zen 3.
// Two costs are avoided here:
// - Waste: a huge page is resident whole, so only the 2 MiB pages a buffer fills entirely are
//   advised, and its partial last page is marked MADV_NOHUGEPAGE (else, where THP is "always",
//   every buffer's tail would take up to 2 MiB: +285 MiB for 2B4T's 211 buffers).
// - Stalls: where free memory is fragmented the kernel compacts memory synchronously at each
//   huge-page fault (loading took 3-5 s longer on such a machine), so by default huge pages are
//   asked for only while the buddy allocator holds free 2 MiB blocks for twice the buffer plus a
//   margin (/proc/buddyinfo). TERN_HUGEPAGES=1 asks always, TERN_HUGEPAGES=0 never.
// Linux only; elsewhere these do nothing.
#include <cstdint>
#include <optional>

namespace tern {

// The huge page size (x86-64, and arm64 with 4 KiB pages): WeightBuffer aligns to it.
constexpr uint64_t kHugePageBytes = 2u << 20;

// Bytes of free memory in blocks at least as large as a huge page (order >= 9 with 4 KiB pages),
// which huge-page faults can take without compaction. nullopt off Linux or without /proc.
std::optional<uint64_t> free_huge_page_memory();

// Advises [p, p + n) as above. p must be aligned to kHugePageBytes and the allocation rounded up
// to a multiple of it.
void advise_huge_pages(uint8_t* p, uint64_t n);

}  // namespace tern
