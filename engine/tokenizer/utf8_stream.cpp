#include "engine/tokenizer/utf8_stream.h"

#include "engine/tokenizer/unicode.h"

#include <cstdint>

namespace tern {

std::string Utf8StreamDecoder::push(std::string_view bytes) {
    // pending_ is at most 3 bytes, so joining costs nothing worth optimising.
    std::string data = pending_;
    data.append(bytes);
    pending_.clear();

    std::string out;
    out.reserve(data.size());
    const auto* p = reinterpret_cast<const uint8_t*>(data.data());
    size_t pos = 0;
    while (pos < data.size()) {
        const Utf8Scan r = utf8_scan(p + pos, data.size() - pos);
        switch (r.status) {
            case Utf8Scan::Complete:
                out.append(data, pos, r.length);
                break;
            case Utf8Scan::Invalid:
                utf8_append(out, kReplacementChar);
                break;
            case Utf8Scan::Incomplete:
                // Only possible at the very end: keep it for the next push.
                pending_.assign(data, pos, std::string::npos);
                return out;
        }
        pos += r.length;
    }
    return out;
}

std::string Utf8StreamDecoder::flush() {
    std::string out;
    if (!pending_.empty()) utf8_append(out, kReplacementChar);
    pending_.clear();
    return out;
}

}  // namespace tern
