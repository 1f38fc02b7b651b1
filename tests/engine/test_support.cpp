#include "tests/engine/test_support.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <filesystem>
#include <sstream>
#include <system_error>

namespace tern_test {

static bool is_dir(const std::string& p) {
    std::error_code ec;  // std::filesystem, not POSIX stat/S_ISDIR: the tests run on Windows too
    return std::filesystem::is_directory(p, ec);
}

std::string data_dir() {
    const char* env = std::getenv("TERN_TEST_DATA");
    std::string dir = env ? env : "";
    if (dir.empty() || !is_dir(dir))
        FAIL("shared test data not found (TERN_TEST_DATA='" << dir
             << "'); configure with -DTERN_TEST_DATA_DIR=/path/to/shared/data");
    return dir;
}

std::string work_dir() {
    const char* env = std::getenv("TERN_TEST_WORK");
    std::string dir = env ? env : "";
    if (dir.empty() || !is_dir(dir)) FAIL("TERN_TEST_WORK is not a folder: '" << dir << "'");
    return dir;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) FAIL("cannot read " << path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace tern_test

#include "engine/model/synthetic_model.h"

#include <filesystem>

#ifdef _WIN32
#include <process.h>  // _getpid: MSVC has no unistd.h
#define TERN_TEST_PID() _getpid()
#else
#include <unistd.h>
#define TERN_TEST_PID() ::getpid()
#endif

namespace tern_test {

std::string tiny_model(const std::string& arch, tern::GgmlType type, uint64_t seed) {
    const std::string path = work_dir() + "/tiny-" + arch + "-" + tern::ggml_type_name(type) + "-" +
                             std::to_string(seed) + ".gguf";
    if (!std::filesystem::exists(path)) {
        tern::SyntheticOptions o;
        o.arch = arch;
        o.type = type;
        o.seed = seed;
        // ctest may run several test processes at once: write privately, then rename atomically.
        const std::string tmp = path + "." + std::to_string(TERN_TEST_PID());
        tern::write_synthetic_model(o, tmp);
        std::filesystem::rename(tmp, path);
    }
    return path;
}

}  // namespace tern_test

namespace tern_test {

std::string builtin_model() {
    const std::string file = __FILE__;
    const std::string tail = "tests/engine/test_support.cpp";
    if (file.size() < tail.size() || file.compare(file.size() - tail.size(), tail.size(), tail) != 0)
        FAIL("cannot locate the source tree from __FILE__ = " << file);
    return file.substr(0, file.size() - tail.size()) + "resources/models/tern-default.gguf";
}

}  // namespace tern_test
