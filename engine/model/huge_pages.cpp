#include "engine/model/huge_pages.h"

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#endif

namespace tern {

#if defined(__linux__)

namespace {

enum class HugePolicy { Never, Auto, Always };

HugePolicy huge_policy() {
    static const HugePolicy p = [] {
        const char* e = std::getenv("TERN_HUGEPAGES");
        if (e && std::strcmp(e, "1") == 0) return HugePolicy::Always;
        if (e && std::strcmp(e, "0") == 0) return HugePolicy::Never;
        return HugePolicy::Auto;
    }();
    return p;
}

}  // namespace

std::optional<uint64_t> free_huge_page_memory() {
    const long page = sysconf(_SC_PAGESIZE);
    if (page <= 0) return std::nullopt;
    int min_order = 0;  // the order whose blocks are one huge page
    while (((uint64_t)page << min_order) < kHugePageBytes) ++min_order;
    std::FILE* f = std::fopen("/proc/buddyinfo", "r");
    if (!f) return std::nullopt;
    // "Node 0, zone   Normal   6480   7156 ...": free blocks of order 0, 1, 2, ... per zone.
    uint64_t total = 0;
    char line[512];
    bool any = false;
    while (std::fgets(line, sizeof line, f)) {
        const char* zone = std::strstr(line, "zone");
        if (!zone) continue;
        const char* s = zone + 4;
        while (*s == ' ') ++s;
        while (*s && *s != ' ') ++s;  // the zone's name
        for (int order = 0; *s; ++order) {
            char* end = nullptr;
            const unsigned long long count = std::strtoull(s, &end, 10);
            if (end == s) break;
            if (order >= min_order && order < 40) total += (uint64_t)count * ((uint64_t)page << order);
            s = end;
            any = true;
        }
    }
    std::fclose(f);
    if (!any) return std::nullopt;
    return total;
}

void advise_huge_pages(uint8_t* p, uint64_t n) {
    const uint64_t whole = n / kHugePageBytes * kHugePageBytes;
    const HugePolicy policy = huge_policy();
    bool huge = policy == HugePolicy::Always;
    if (policy == HugePolicy::Auto && whole > 0) {
        const std::optional<uint64_t> free = free_huge_page_memory();
        huge = free && *free >= 2 * whole + (256u << 20);
    }
    // Advisory: a failure (no THP in this kernel) just leaves 4 KiB pages.
    if (huge && whole > 0) madvise(p, whole, MADV_HUGEPAGE);
    if (n > whole) madvise(p + whole, kHugePageBytes, MADV_NOHUGEPAGE);
}

#else

std::optional<uint64_t> free_huge_page_memory() { return std::nullopt; }
void advise_huge_pages(uint8_t*, uint64_t) {}

#endif

}  // namespace tern
