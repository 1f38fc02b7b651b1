#include "engine/tokenizer/unicode.h"

#include "engine/tokenizer/unicode_tables.h"

#include <algorithm>
#include <array>

namespace tern {

namespace {

using unicode_detail::kUnicodeRunCount;
using unicode_detail::kUnicodeRuns;
using unicode_detail::UnicodeRun;

uint8_t lookup_flags(uint32_t cp) {
    const UnicodeRun* end = kUnicodeRuns + kUnicodeRunCount;
    // The last run whose first <= cp.
    const UnicodeRun* it = std::upper_bound(kUnicodeRuns, end, cp,
                                            [](uint32_t v, const UnicodeRun& r) { return v < r.first; });
    return it == kUnicodeRuns ? 0 : (it - 1)->flags;
}

// ASCII dominates real text; answer it without a binary search. A function-local static so
// that it is ready even when called during another file's static initialisation.
const std::array<uint8_t, 128>& ascii_flags() {
    static const std::array<uint8_t, 128> table = [] {
        std::array<uint8_t, 128> t{};
        for (uint32_t c = 0; c < 128; ++c) t[c] = lookup_flags(c);
        return t;
    }();
    return table;
}

}  // namespace

uint8_t unicode_flags(uint32_t cp) {
    if (cp < 128) return ascii_flags()[cp];
    if (cp > 0x10FFFF) return 0;
    return lookup_flags(cp);
}

const char* unicode_table_version() { return unicode_detail::kUnicodeVersion; }

Utf8Scan utf8_scan(const uint8_t* p, size_t n) {
    const uint8_t b0 = p[0];
    if (b0 < 0x80) return {Utf8Scan::Complete, 1, b0};
    size_t len;
    uint32_t cp;
    // Allowed range of the second byte; narrower than 80..BF for E0, ED, F0 and F4 so that
    // overlongs, surrogates and values above U+10FFFF are rejected at the earliest byte.
    uint8_t lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
        cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        cp = b0 & 0x0F;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        cp = b0 & 0x07;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        return {Utf8Scan::Invalid, 1, kReplacementChar};  // continuation byte, C0, C1, F5..FF
    }
    for (size_t k = 1; k < len; ++k) {
        if (k >= n) return {Utf8Scan::Incomplete, k, 0};
        const uint8_t b = p[k];
        const uint8_t klo = k == 1 ? lo : 0x80, khi = k == 1 ? hi : 0xBF;
        if (b < klo || b > khi) return {Utf8Scan::Invalid, k, kReplacementChar};
        cp = (cp << 6) | (b & 0x3F);
    }
    return {Utf8Scan::Complete, len, cp};
}

uint32_t utf8_next(std::string_view s, size_t& pos) {
    const Utf8Scan r = utf8_scan(reinterpret_cast<const uint8_t*>(s.data()) + pos, s.size() - pos);
    pos += r.length;
    return r.status == Utf8Scan::Complete ? r.cp : kReplacementChar;
}

void utf8_append(std::string& out, uint32_t cp) {
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = kReplacementChar;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

bool utf8_is_valid(std::string_view s) {
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    size_t pos = 0;
    while (pos < s.size()) {
        const Utf8Scan r = utf8_scan(p + pos, s.size() - pos);
        if (r.status != Utf8Scan::Complete) return false;
        pos += r.length;
    }
    return true;
}

}  // namespace tern
