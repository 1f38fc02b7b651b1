#pragma once
// Command-line parsing shared by the tools: "-x VALUE" / "--long VALUE" options and flags,
// with an error for anything unknown or malformed (a typo must not be silently ignored).
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/model/kv_cache.h"

namespace tern::tools {

class Args {
public:
    // value_options take a value; flags do not. Names include their dashes: "-m", "--chat".
    Args(int argc, char** argv, std::set<std::string> value_options, std::set<std::string> flags);

    bool has(const std::string& name) const;
    std::optional<std::string> get(const std::string& name) const;
    std::string get_or(const std::string& name, const std::string& fallback) const;
    int64_t get_int(const std::string& name, int64_t fallback, int64_t min, int64_t max) const;
    double get_float(const std::string& name, double fallback, double min, double max) const;
    const std::vector<std::string>& positional() const { return positional_; }

private:
    std::map<std::string, std::string> values_;
    std::set<std::string> flags_set_;
    std::vector<std::string> positional_;
};

// The KV cache type given with "--kv f32|f16" (F32 without the option); a clear error otherwise.
KvType kv_type_option(const Args& args);

// Runs a tool's main body, turning any exception into "NAME: error: ..." on stderr and exit 1,
// so that every tool reports bad input the same way and never dies with an uncaught exception.
int run_tool(const char* name, int (*body)(int, char**), int argc, char** argv);

// Peak resident memory of this process so far, in bytes (0 where unknown).
uint64_t peak_rss_bytes();

}  // namespace tern::tools
