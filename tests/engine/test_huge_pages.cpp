// Weight memory and transparent huge pages (engine/model/huge_pages.h): the pages a weight buffer
// fills entirely may be huge, its partial last page must not be (a huge page is resident whole).
#include "engine/model/huge_pages.h"
#include "engine/model/linear.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>

using namespace tern;

#if defined(__linux__)
namespace {

struct Resident {
    int64_t rss = -1, anon_huge = -1;  // bytes
};

// This process's resident bytes and those in anonymous huge pages (/proc/self/smaps_rollup).
Resident resident_now() {
    Resident r;
    std::FILE* f = std::fopen("/proc/self/smaps_rollup", "r");
    if (!f) return r;
    char line[256];
    while (std::fgets(line, sizeof line, f)) {
        long long kib = 0;
        if (std::sscanf(line, "Rss: %lld kB", &kib) == 1) r.rss = kib * 1024;
        if (std::sscanf(line, "AnonHugePages: %lld kB", &kib) == 1) r.anon_huge = kib * 1024;
    }
    std::fclose(f);
    return r;
}

// THP on in the kernel and not switched off for this process (prctl PR_SET_THP_DISABLE, which
// some container runtimes set: /proc/self/status then says "THP_enabled: 0").
bool thp_enabled() {
    std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string s;
    std::getline(f, s);
    if (s.empty() || s.find("[never]") != std::string::npos) return false;
    std::ifstream st("/proc/self/status");
    for (std::string line; std::getline(st, line);)
        if (line.rfind("THP_enabled:", 0) == 0) return line.find('1') != std::string::npos;
    return true;
}

}  // namespace

TEST_CASE("free huge-page memory is read from the buddy allocator", "[memory]") {
    const std::optional<uint64_t> free = free_huge_page_memory();
    REQUIRE(free.has_value());  // /proc/buddyinfo exists on every Linux
    CHECK(*free % (2u << 20) == 0);  // whole blocks of 2 MiB or more
}

TEST_CASE("a weight buffer's partial last huge page stays in small pages", "[memory]") {
    const uint64_t n = (6u << 20) + (100u << 10);  // three whole 2 MiB pages and 100 KiB
    const Resident before = resident_now();
    if (before.rss < 0 || before.anon_huge < 0) {
        WARN("no /proc/self/smaps_rollup: not checked");
        return;
    }
    const std::optional<uint64_t> free_before = free_huge_page_memory();
    WeightBuffer b(n);
    std::memset(b.data(), 1, n);
    const Resident during = resident_now();
    const int64_t grown = during.rss - before.rss, huge = during.anon_huge - before.anon_huge;
    INFO("resident grew by " << grown << " bytes, of which " << huge << " in huge pages; buffer " << n);
    // A huge page for the 100 KiB tail would add 1.9 MiB on top of the buffer.
    CHECK(grown >= (int64_t)n - (64 << 10));
    CHECK(grown <= (int64_t)n + (512 << 10));
    CHECK(huge <= (6 << 20));
    // With THP on and free 2 MiB blocks to spare, the whole pages are huge (unless switched off).
    const char* env = std::getenv("TERN_HUGEPAGES");
    const bool wanted = !(env && std::strcmp(env, "0") == 0);
    if (wanted && thp_enabled() && free_before && *free_before >= 2 * (6u << 20) + (512u << 20)) CHECK(huge >= (2 << 20));
}
#endif
