#include "engine/tools/tool_args.h"

#include "engine/error.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <new>

#ifdef _WIN32
#ifndef NOMINMAX
#define NOMINMAX  // windows.h's min/max macros would break std::min/std::max
#endif
#include <windows.h>
#include <psapi.h>  // GetProcessMemoryInfo (psapi.lib: linked in tools/CMakeLists.txt)
#else
#include <sys/resource.h>
#endif

namespace tern::tools {

Args::Args(int argc, char** argv, std::set<std::string> value_options, std::set<std::string> flags) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a.size() > 1 && a[0] == '-' && !(a.size() > 1 && (std::isdigit((unsigned char)a[1]) || a[1] == '.'))) {
            if (flags.count(a)) {
                flags_set_.insert(a);
            } else if (value_options.count(a)) {
                if (i + 1 >= argc) throw Error("option " + a + " needs a value");
                values_[a] = argv[++i];
            } else {
                throw Error("unknown option " + a + " (see --help)");
            }
        } else {
            positional_.push_back(a);
        }
    }
}

bool Args::has(const std::string& name) const { return flags_set_.count(name) || values_.count(name); }

std::optional<std::string> Args::get(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

std::string Args::get_or(const std::string& name, const std::string& fallback) const {
    return get(name).value_or(fallback);
}

int64_t Args::get_int(const std::string& name, int64_t fallback, int64_t min, int64_t max) const {
    auto v = get(name);
    if (!v) return fallback;
    char* end = nullptr;
    errno = 0;
    long long x = std::strtoll(v->c_str(), &end, 10);
    if (errno || end == v->c_str() || *end || x < min || x > max)
        throw Error("option " + name + " wants a whole number from " + std::to_string(min) + " to " +
                    std::to_string(max) + ", not '" + *v + "'");
    return x;
}

double Args::get_float(const std::string& name, double fallback, double min, double max) const {
    auto v = get(name);
    if (!v) return fallback;
    char* end = nullptr;
    errno = 0;
    double x = std::strtod(v->c_str(), &end);
    if (errno || end == v->c_str() || *end || !(x >= min && x <= max))
        throw Error("option " + name + " wants a number from " + std::to_string(min) + " to " +
                    std::to_string(max) + ", not '" + *v + "'");
    return x;
}

int run_tool(const char* name, int (*body)(int, char**), int argc, char** argv) {
    try {
        return body(argc, argv);
    } catch (const std::bad_alloc&) {
        // what() is just "std::bad_alloc": say it in words. (Inputs are size-checked before
        // allocating, so this means the computer really ran out.)
        std::fprintf(stderr, "%s: error: out of memory\n", name);
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: error: %s\n", name, e.what());
        return 1;
    }
}

KvType kv_type_option(const Args& args) {
    const std::string name = args.get_or("--kv", "f32");
    const std::optional<KvType> type = kv_type_from_name(name);
    if (!type) throw Error("unknown --kv type '" + name + "' (f32 or f16)");
    return *type;
}

uint64_t peak_rss_bytes() {
#ifdef _WIN32
    // Windows has no getrusage; the peak working set is its peak resident memory.
    PROCESS_MEMORY_COUNTERS pmc{};
    pmc.cb = sizeof pmc;
    if (!GetProcessMemoryInfo(GetCurrentProcess(), &pmc, sizeof pmc)) return 0;
    return (uint64_t)pmc.PeakWorkingSetSize;
#else
    struct rusage ru {};
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
#if defined(__APPLE__)
    return (uint64_t)ru.ru_maxrss;  // macOS reports bytes
#else
    return (uint64_t)ru.ru_maxrss * 1024;  // Linux (and the BSDs) report KiB
#endif
#endif
}

}  // namespace tern::tools
