#pragma once
// UTF-8 decoding/encoding and the code point classes (\p{L}, \p{N}, \s) that the pre-tokenizer
// rules of the byte-level BPE tokenizers are written in. No std::regex: its Unicode support is
// platform-dependent and slow.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tern {

// Class bits of a code point (several may be set only in theory; in practice at most one).
enum : uint8_t {
    kCpLetter = 1,      // general category L*
    kCpNumber = 2,      // general category N*
    kCpWhitespace = 4,  // White_Space property (what \s matches in Oniguruma and llama.cpp)
    kCpPunct = 8,       // general category P*
};

// Flags of a code point; 0 for unassigned/other and for anything above U+10FFFF.
uint8_t unicode_flags(uint32_t cp);
inline bool unicode_is_letter(uint32_t cp) { return unicode_flags(cp) & kCpLetter; }
inline bool unicode_is_number(uint32_t cp) { return unicode_flags(cp) & kCpNumber; }
inline bool unicode_is_whitespace(uint32_t cp) { return unicode_flags(cp) & kCpWhitespace; }
// Unicode version of the generated table, e.g. "14.0.0".
const char* unicode_table_version();

constexpr uint32_t kReplacementChar = 0xFFFD;

// Result of looking at the start of a (possibly cut-off) byte sequence.
struct Utf8Scan {
    enum Status { Complete, Incomplete, Invalid } status;
    // Complete: length of the character (1..4). Incomplete: bytes present (all valid so far).
    // Invalid: bytes that form the maximal invalid subpart (>= 1), to be replaced by one U+FFFD.
    size_t length;
    uint32_t cp;  // the code point when Complete
};

// Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF) at p[0..n), n >= 1.
Utf8Scan utf8_scan(const uint8_t* p, size_t n);

// Decodes the character at s[pos] and advances pos past it. Invalid or truncated input yields
// U+FFFD and advances past the maximal invalid subpart, so loops always make progress.
uint32_t utf8_next(std::string_view s, size_t& pos);

// Appends the UTF-8 form of cp (U+FFFD for surrogates and values above U+10FFFF).
void utf8_append(std::string& out, uint32_t cp);

// True if the whole string is strict UTF-8.
bool utf8_is_valid(std::string_view s);

}  // namespace tern
