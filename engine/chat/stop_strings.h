#pragma once
// Stops generation at caller-given strings without ever showing the user part of one: text that
// could still grow into a stop string is held back until it is clear either way.
#include <string>
#include <string_view>
#include <vector>

namespace tern {

class StopStringFilter {
public:
    explicit StopStringFilter(std::vector<std::string> stops);
    // Adds generated text; returns what can be shown now. Once a stop string is complete,
    // stopped() is true, the text before it has been returned and everything after is dropped.
    std::string push(std::string_view text);
    // The held-back tail, when generation ends for another reason.
    std::string flush();
    bool stopped() const { return stopped_; }

private:
    std::vector<std::string> stops_;
    std::string held_;
    bool stopped_ = false;
};

}  // namespace tern
