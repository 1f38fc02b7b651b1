#include "engine/tools/default_model.h"

#include <filesystem>
#include <system_error>
#include <vector>

namespace tern::tools {

std::string default_model_path(const char* argv0) {
    namespace fs = std::filesystem;
    const char* kFile = "tern-default.gguf";
    std::error_code ec;
    fs::path exe = fs::canonical("/proc/self/exe", ec);
    if (ec && argv0) exe = fs::absolute(argv0, ec);
    std::vector<fs::path> candidates;
    if (!exe.empty()) candidates.push_back(exe.parent_path().parent_path() / "share" / "tern" / "models" / kFile);
    candidates.push_back(fs::path(TERN_SOURCE_MODELS_DIR) / kFile);
    for (const fs::path& p : candidates)
        if (fs::is_regular_file(p, ec)) return p.string();
    return "";
}

}  // namespace tern::tools
