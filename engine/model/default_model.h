#pragma once
// Where the app and the command-line tools find the built-in default model (the tools: when no
// -m is given), one lookup so that they always agree.
#include <string>

namespace tern {

// The default model file, or "" if none is installed. Looks beside the executable
// (../share/tern/models, for installs; ../Resources/share/tern/models inside Tern.app on
// macOS) and in the source tree's resources/models. The executable is found through the OS
// (/proc/self/exe, GetModuleFileNameW, _NSGetExecutablePath), argv0 only as a last resort.
// The result is UTF-8.
std::string default_model_path(const char* argv0);

}  // namespace tern
