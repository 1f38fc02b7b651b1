#include "engine/arch.h"

namespace tern {

static const std::vector<ArchSpec>& registry() {
    static const std::vector<ArchSpec> archs = {arch_bitnet_b158(), arch_bitnet(), arch_llama()};
    return archs;
}

const ArchSpec* find_arch(std::string_view name) {
    for (const ArchSpec& a : registry()) {
        if (a.name == name) return &a;
        for (const std::string& alias : a.aliases)
            if (alias == name) return &a;
    }
    return nullptr;
}

std::string known_arch_names() {
    std::string out;
    for (const ArchSpec& a : registry()) {
        if (!out.empty()) out += ", ";
        out += a.name;
        for (const std::string& alias : a.aliases) out += ", " + alias;
    }
    return out;
}

}  // namespace tern
