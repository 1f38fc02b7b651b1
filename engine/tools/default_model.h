#pragma once
// Where the tools find the built-in default model when no -m is given.
#include <string>

namespace tern::tools {

// The default model file, or "" if none is installed. Looks beside the executable
// (../share/tern/models, for installs) and in the source tree's resources/models.
std::string default_model_path(const char* argv0);

}  // namespace tern::tools
