#include "engine/model/system_memory.h"

#if defined(_WIN32)
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#elif defined(__APPLE__)
#include <mach/mach.h>
#include <sys/sysctl.h>
#include <unistd.h>
#else
#include <unistd.h>

#include <cstdio>
#include <cstring>
#endif

namespace tern {

#if defined(_WIN32)

std::optional<uint64_t> available_physical_memory() {
    MEMORYSTATUSEX st;
    st.dwLength = sizeof(st);
    if (!GlobalMemoryStatusEx(&st)) return std::nullopt;
    return static_cast<uint64_t>(st.ullAvailPhys);
}

#elif defined(__APPLE__)

std::optional<uint64_t> available_physical_memory() {
    // macOS keeps "free" memory low on purpose; inactive and purgeable pages are handed out on
    // demand, so they count as available (as Activity Monitor's "memory used" implies).
    vm_statistics64_data_t vm;
    mach_msg_type_number_t count = HOST_VM_INFO64_COUNT;
    const long page = sysconf(_SC_PAGESIZE);
    if (page > 0 && host_statistics64(mach_host_self(), HOST_VM_INFO64, reinterpret_cast<host_info64_t>(&vm),
                                      &count) == KERN_SUCCESS)
        return (static_cast<uint64_t>(vm.free_count) + vm.inactive_count + vm.purgeable_count) *
               static_cast<uint64_t>(page);
    // Fall back to the total: an over-generous limit, but never a false refusal.
    int64_t total = 0;
    size_t len = sizeof(total);
    if (sysctlbyname("hw.memsize", &total, &len, nullptr, 0) == 0 && total > 0) return static_cast<uint64_t>(total);
    return std::nullopt;
}

#else

namespace {

// "MemAvailable:   16318480 kB" from /proc/meminfo (Linux 3.14+): free memory plus the page
// cache and other memory the kernel can reclaim, which is what a new allocation can really use.
std::optional<uint64_t> proc_mem_available() {
    std::FILE* f = std::fopen("/proc/meminfo", "r");
    if (!f) return std::nullopt;
    std::optional<uint64_t> result;
    char line[256];
    while (std::fgets(line, sizeof line, f)) {
        unsigned long long kib = 0;
        if (std::strncmp(line, "MemAvailable:", 13) == 0 && std::sscanf(line + 13, "%llu", &kib) == 1) {
            result = static_cast<uint64_t>(kib) * 1024;
            break;
        }
    }
    std::fclose(f);
    return result;
}

}  // namespace

std::optional<uint64_t> available_physical_memory() {
    if (std::optional<uint64_t> v = proc_mem_available()) return v;
    // No /proc (another Unix, or a sandbox): sysconf's free pages would leave out the page cache
    // and refuse models that fit, so fall back to the total, as on macOS: never a false refusal.
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page);
    return std::nullopt;
}

#endif

}  // namespace tern
