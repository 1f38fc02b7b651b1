#include "engine/chat/stop_strings.h"

#include <algorithm>

namespace tern {

StopStringFilter::StopStringFilter(std::vector<std::string> stops) {
    for (std::string& s : stops)
        if (!s.empty()) stops_.push_back(std::move(s));
}

std::string StopStringFilter::push(std::string_view text) {
    if (stopped_) return {};
    held_.append(text);
    // A complete stop string: emit what precedes the earliest one.
    size_t earliest = std::string::npos;
    for (const std::string& s : stops_) earliest = std::min(earliest, held_.find(s));
    if (earliest != std::string::npos) {
        stopped_ = true;
        std::string out = held_.substr(0, earliest);
        held_.clear();
        return out;
    }
    // Otherwise hold back the longest tail that is a prefix of some stop string.
    size_t keep = 0;
    for (const std::string& s : stops_) {
        for (size_t len = std::min(s.size() - 1, held_.size()); len > keep; --len) {
            if (held_.compare(held_.size() - len, len, s, 0, len) == 0) {
                keep = len;
                break;
            }
        }
    }
    std::string out = held_.substr(0, held_.size() - keep);
    held_.erase(0, held_.size() - keep);
    return out;
}

std::string StopStringFilter::flush() {
    std::string out;
    out.swap(held_);
    return stopped_ ? std::string() : out;
}

}  // namespace tern
