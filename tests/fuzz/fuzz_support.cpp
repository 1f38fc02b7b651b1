#include "tests/fuzz/fuzz_support.h"

#include "engine/gguf/gguf_reader.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <unistd.h>

namespace tern_fuzz {
namespace {

std::map<std::string, std::string>& scratch_files() {
    static std::map<std::string, std::string> files;
    return files;
}

void remove_scratch_files() {
    for (const auto& kv : scratch_files()) {
        std::remove(kv.second.c_str());
        // The GGUF writer writes PATH.tmp and renames it; remove a leftover after a failure.
        std::remove((kv.second + ".tmp").c_str());
    }
}

}  // namespace

const std::string& scratch_path(const std::string& name) {
    auto& files = scratch_files();
    auto it = files.find(name);
    if (it != files.end()) return it->second;
    if (files.empty()) std::atexit(remove_scratch_files);
    const char* tmp = std::getenv("TMPDIR");
    std::string dir = tmp && *tmp ? tmp : "/tmp";
    return files.emplace(name, dir + "/tern-fuzz-" + std::to_string(getpid()) + "-" + name).first->second;
}

void write_file(const std::string& path, const uint8_t* data, size_t size) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f || (size && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) {
        std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
        std::abort();
    }
}

const tern::Tokenizer& default_tokenizer() {
    static const std::unique_ptr<tern::Tokenizer> tok = [] {
        tern::GgufFile f = tern::GgufFile::open(TERN_DEFAULT_GGUF);
        return tern::Tokenizer::from_gguf(f);
    }();
    return *tok;
}

}  // namespace tern_fuzz
