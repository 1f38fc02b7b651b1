#include "engine/model/default_model.h"

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#if defined(_WIN32)
#ifndef NOMINMAX
#define NOMINMAX  // windows.h's min/max macros would break std::min/std::max
#endif
#include <windows.h>
#elif defined(__APPLE__)
#include <cstdint>
#include <cstdlib>
#include <mach-o/dyld.h>  // _NSGetExecutablePath
#endif

namespace tern {
namespace {

namespace fs = std::filesystem;

// This executable's own path, symlinks resolved, or empty if the OS will not say. argv[0] is not
// enough: a tool started through PATH gets its bare name there ("tern-cli").
fs::path executable_path() {
    std::error_code ec;
#if defined(_WIN32)
    std::wstring buf(MAX_PATH, L'\0');
    for (;;) {
        const DWORD n = GetModuleFileNameW(nullptr, &buf[0], static_cast<DWORD>(buf.size()));
        if (n == 0) return {};
        if (n < buf.size()) {  // n == size means truncated (the path is longer than buf)
            buf.resize(n);
            break;
        }
        if (buf.size() >= 32768) return {};  // Windows' longest path
        buf.resize(buf.size() * 2);
    }
    const fs::path p = fs::canonical(fs::path(buf), ec);
    return ec ? fs::path(buf) : p;
#elif defined(__APPLE__)
    uint32_t size = 0;
    _NSGetExecutablePath(nullptr, &size);  // sets size to the length needed
    std::string buf(size + 1, '\0');
    if (_NSGetExecutablePath(&buf[0], &size) != 0) return {};
    buf.resize(std::char_traits<char>::length(buf.c_str()));
    // The path it gives may go through symlinks (e.g. /usr/local/bin/tern-cli linked to the
    // copy inside Tern.app): the model is found relative to the real file.
    if (char* real = realpath(buf.c_str(), nullptr)) {
        fs::path p(real);
        std::free(real);
        return p;
    }
    return fs::path(buf);
#else
    const fs::path p = fs::canonical("/proc/self/exe", ec);  // Linux
    return ec ? fs::path() : p;
#endif
}

// Tern's paths are UTF-8 strings (tern::MappedFile converts them to UTF-16 on Windows), while
// path::string() on Windows is in the ANSI code page and loses characters outside it (an
// install under C:\Users\<non-ASCII name>\AppData\Local\Programs).
std::string utf8(const fs::path& p) {
    const auto s = p.u8string();  // std::string in C++17, std::u8string in C++20
    return std::string(s.begin(), s.end());
}

}  // namespace

std::string default_model_path(const char* argv0) {
    const char* kFile = "tern-default.gguf";
    std::error_code ec;
    fs::path exe = executable_path();
    if (exe.empty() && argv0 && *argv0) exe = fs::absolute(argv0, ec);
    std::vector<fs::path> candidates;
    if (!exe.empty()) {
        const fs::path prefix = exe.parent_path().parent_path();
        // Installs: <prefix>/bin/<tool> beside <prefix>/share/tern/models (Linux, Windows).
        candidates.push_back(prefix / "share" / "tern" / "models" / kFile);
#if defined(__APPLE__)
        // Tern.app: the tools are in Contents/MacOS and the model in Contents/Resources/share
        // (packaging/macos/deploy-app.cmake). Contents/share links there, but a copy of the
        // bundle that dropped the link must still work.
        candidates.push_back(prefix / "Resources" / "share" / "tern" / "models" / kFile);
#endif
    }
    candidates.push_back(fs::path(TERN_SOURCE_MODELS_DIR) / kFile);
    for (const fs::path& p : candidates)
        if (fs::is_regular_file(p, ec)) return utf8(p);
    return "";
}

}  // namespace tern
