#include "engine/tokenizer/pretokenizer.h"

#include "engine/tokenizer/unicode.h"

#include <cstdint>

namespace tern {

namespace {

// The text decoded once into code points with their classes and byte offsets, so the matchers
// can look ahead and back cheaply. Indexing past the end yields a sentinel that is in no class.
class CharView {
public:
    explicit CharView(std::string_view text) {
        cps_.reserve(text.size());
        offsets_.reserve(text.size() + 1);
        size_t pos = 0;
        while (pos < text.size()) {
            offsets_.push_back(pos);
            cps_.push_back(utf8_next(text, pos));
        }
        offsets_.push_back(text.size());
        flags_.reserve(cps_.size());
        for (uint32_t c : cps_) flags_.push_back(unicode_flags(c));
    }
    size_t size() const { return cps_.size(); }
    size_t offset(size_t i) const { return offsets_[i]; }
    uint32_t cp(size_t i) const { return i < cps_.size() ? cps_[i] : 0xFFFFFFFFu; }
    bool letter(size_t i) const { return i < size() && (flags_[i] & kCpLetter); }
    bool number(size_t i) const { return i < size() && (flags_[i] & kCpNumber); }
    bool space(size_t i) const { return i < size() && (flags_[i] & kCpWhitespace); }
    // [^\s\p{L}\p{N}]
    bool other(size_t i) const {
        return i < size() && !(flags_[i] & (kCpLetter | kCpNumber | kCpWhitespace));
    }
    bool newline(size_t i) const { return cp(i) == '\r' || cp(i) == '\n'; }

private:
    std::vector<uint32_t> cps_;
    std::vector<uint8_t> flags_;
    std::vector<size_t> offsets_;
};

// Case folding for the contraction letters under (?i:). Besides ASCII, Unicode folds only one
// code point onto these letters: U+017F LATIN SMALL LETTER LONG S -> 's' (the Kelvin and
// Angstrom signs fold onto k and å, which no contraction uses). Oniguruma, which produced the
// reference tokenizations, applies it; llama.cpp's ASCII-only version does not.
uint32_t fold_case(uint32_t c) {
    if (c >= 'A' && c <= 'Z') return c + 32;
    return c == 0x17F ? 's' : c;
}

// 's|'t|'re|'ve|'m|'ll|'d, optionally case-insensitive. Returns the end or 0.
size_t match_contraction(const CharView& c, size_t i, bool fold) {
    if (c.cp(i) != '\'') return 0;
    const uint32_t a = fold ? fold_case(c.cp(i + 1)) : c.cp(i + 1);
    const uint32_t b = fold ? fold_case(c.cp(i + 2)) : c.cp(i + 2);
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return i + 2;
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return i + 3;
    return 0;
}

// The whitespace tail shared by both regexes: \s+(?!\S)|\s+ , with i at a space.
// \s+(?!\S) takes the whole run when it reaches the end of the text; otherwise it backs off one
// space so that the last space stays glued to the following word (" ?\p{L}+" etc.), unless the
// run is a single space, in which case plain \s+ takes it.
size_t match_space_run(const CharView& c, size_t i) {
    size_t j = i;
    while (c.space(j)) ++j;
    if (j == c.size()) return j;
    if (j - i >= 2) return j - 1;
    return j;
}

size_t match_gpt2(const CharView& c, size_t i) {
    if (size_t e = match_contraction(c, i, false)) return e;
    const size_t k = c.cp(i) == ' ' ? i + 1 : i;  // the optional leading space of " ?X+"
    if (c.letter(k)) {  // ?\p{L}+
        size_t e = k;
        while (c.letter(e)) ++e;
        return e;
    }
    if (c.number(k)) {  // ?\p{N}+
        size_t e = k;
        while (c.number(e)) ++e;
        return e;
    }
    if (c.other(k)) {  // ?[^\s\p{L}\p{N}]+
        size_t e = k;
        while (c.other(e)) ++e;
        return e;
    }
    // Backing off the optional space never helps: a space is not a letter, number or other.
    if (c.space(i)) return match_space_run(c, i);
    return i + 1;  // unreachable: every character is in one of the classes above
}

size_t match_llama3(const CharView& c, size_t i) {
    if (size_t e = match_contraction(c, i, true)) return e;
    // [^\r\n\p{L}\p{N}]?\p{L}+ : the optional character may be a space, tab or punctuation.
    {
        const bool opt = !c.letter(i) && !c.number(i) && !c.newline(i) && i < c.size();
        const size_t k = opt ? i + 1 : i;
        if (c.letter(k)) {
            size_t e = k;
            while (c.letter(e)) ++e;
            return e;
        }
    }
    if (c.number(i)) {  // \p{N}{1,3}
        size_t e = i;
        while (e < i + 3 && c.number(e)) ++e;
        return e;
    }
    {  // ?[^\s\p{L}\p{N}]+[\r\n]*
        const size_t k = c.cp(i) == ' ' ? i + 1 : i;
        if (c.other(k)) {
            size_t e = k;
            while (c.other(e)) ++e;
            while (c.newline(e)) ++e;
            return e;
        }
    }
    if (c.space(i)) {
        // \s*[\r\n]+ : after backtracking, this ends just after the last \r or \n of the run.
        size_t j = i, end = 0;
        while (c.space(j)) {
            if (c.newline(j)) end = j + 1;
            ++j;
        }
        if (end) return end;
        return match_space_run(c, i);
    }
    return i + 1;  // unreachable
}

}  // namespace

const char* pre_tokenizer_name(PreTokenizerKind kind) {
    return kind == PreTokenizerKind::Llama3 ? "llama3" : "gpt2";
}

std::vector<std::string_view> pre_tokenize(std::string_view text, PreTokenizerKind kind) {
    std::vector<std::string_view> out;
    const CharView c(text);
    size_t i = 0;
    while (i < c.size()) {
        const size_t e = kind == PreTokenizerKind::Llama3 ? match_llama3(c, i) : match_gpt2(c, i);
        out.push_back(text.substr(c.offset(i), c.offset(e) - c.offset(i)));
        i = e;
    }
    return out;
}

}  // namespace tern
