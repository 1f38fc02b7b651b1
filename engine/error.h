#pragma once
// The one exception type the engine throws. Callers (CLI, app) show what() to the user, so
// every message names the file, key or tensor involved and what is wrong with it.
#include <stdexcept>
#include <string>

namespace tern {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace tern
