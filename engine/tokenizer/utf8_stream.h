#pragma once
// Turns the byte pieces of generated tokens into whole UTF-8 characters for display. Byte-level
// tokenizers routinely cut a character (an emoji is often 2-4 tokens), and a GUI that receives
// half a character shows garbage or drops it.
#include <string>
#include <string_view>

namespace tern {

class Utf8StreamDecoder {
public:
    // Returns the complete characters available after adding `bytes`; an incomplete character
    // at the end is held back until its remaining bytes arrive. Bytes that can never form a
    // valid character (stray continuation bytes, overlongs, surrogates, a sequence cut short by
    // another character) are replaced right away by U+FFFD, one per maximal invalid subpart, so
    // the output is always valid UTF-8 and nothing is held back forever.
    std::string push(std::string_view bytes);
    // End of stream: an incomplete character still pending becomes U+FFFD. Resets the decoder.
    std::string flush();
    // Drops anything pending (e.g. when generation restarts).
    void reset() { pending_.clear(); }
    // Bytes held back (0..3).
    size_t pending() const { return pending_.size(); }

private:
    std::string pending_;
};

}  // namespace tern
