// Unicode classes, UTF-8 helpers and the pre-tokenizer splits (against what the regexes give).
#include "engine/tokenizer/pretokenizer.h"
#include "engine/tokenizer/unicode.h"

#include <catch2/catch.hpp>

using namespace tern;

namespace {

std::vector<std::string> split(std::string_view text, PreTokenizerKind kind) {
    std::vector<std::string> out;
    for (std::string_view p : pre_tokenize(text, kind)) out.emplace_back(p);
    return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("unicode classes", "[tokenizer]") {
    CHECK(unicode_is_letter('a'));
    CHECK(unicode_is_letter(0x4E2D));   // 中
    CHECK(unicode_is_letter(0x0416));   // Ж
    CHECK_FALSE(unicode_is_letter(0x0301));  // combining acute: a mark, not a letter
    CHECK(unicode_is_number('7'));
    CHECK(unicode_is_number(0x00BD));   // ½ (No)
    CHECK(unicode_is_number(0x0663));   // Arabic-Indic three
    CHECK(unicode_is_whitespace(' '));
    CHECK(unicode_is_whitespace('\n'));
    CHECK(unicode_is_whitespace(0x3000));
    CHECK(unicode_is_whitespace(0x00A0));
    CHECK_FALSE(unicode_is_whitespace(0x200B));  // zero width space is not White_Space
    CHECK_FALSE(unicode_is_whitespace(0x1C));    // Python's isspace() says yes; \s does not
    CHECK(unicode_flags('!') == kCpPunct);
    CHECK(unicode_flags(0x1F600) == 0);  // emoji: So
    CHECK(unicode_flags(0x110000) == 0);
    CHECK(std::string(unicode_table_version()).size() >= 4);
}

TEST_CASE("utf8 decode and encode", "[tokenizer]") {
    std::string s;
    for (uint32_t cp : {0x41u, 0xE9u, 0x20ACu, 0x1F999u}) utf8_append(s, cp);
    CHECK(s == "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\xA6\x99");
    size_t pos = 0;
    CHECK(utf8_next(s, pos) == 0x41);
    CHECK(utf8_next(s, pos) == 0xE9);
    CHECK(utf8_next(s, pos) == 0x20AC);
    CHECK(utf8_next(s, pos) == 0x1F999);
    CHECK(pos == s.size());
    CHECK(utf8_is_valid(s));
    // Overlong, surrogate, too large, stray continuation, truncated.
    for (const char* bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80", "\xE2\x82"}) {
        const std::string b = bad;
        CHECK_FALSE(utf8_is_valid(b));
        size_t p = 0;
        CHECK(utf8_next(b, p) == kReplacementChar);
        CHECK(p >= 1);
    }
    std::string sur;
    utf8_append(sur, 0xD800);
    CHECK(sur == "\xEF\xBF\xBD");
}

TEST_CASE("LLaMA 3 pre-tokenizer split", "[tokenizer]") {
    const auto k = PreTokenizerKind::Llama3;
    CHECK(split("Hello world", k) == V{"Hello", " world"});
    CHECK(split("   Hello", k) == V{"  ", " Hello"});
    CHECK(split("\tHello", k) == V{"\tHello"});  // any non-letter/number/newline may lead a word
    CHECK(split("I've 'RE you", k) == V{"I", "'ve", " '", "RE", " you"});
    CHECK(split("3333333", k) == V{"333", "333", "3"});
    CHECK(split("a, b!!\n\nc", k) == V{"a", ",", " b", "!!\n\n", "c"});
    CHECK(split("x \n \n\n y", k) == V{"x", " \n \n\n", " y"});
    CHECK(split("end   ", k) == V{"end", "   "});
    CHECK(split("\n \n", k) == V{"\n \n"});
    CHECK(split("🦙.cpp", k) == V{"🦙.", "cpp"});  // emoji and "." are both "other"
    CHECK(split("", k).empty());
    // Invalid bytes are "other" characters and are kept.
    CHECK(split("a\xFF" "b", k) == V{"a", "\xFF" "b"});
}

TEST_CASE("GPT-2 pre-tokenizer split", "[tokenizer]") {
    const auto k = PreTokenizerKind::Gpt2;
    CHECK(split("Hello world", k) == V{"Hello", " world"});
    CHECK(split("   Hello", k) == V{"  ", " Hello"});
    CHECK(split("\tHello", k) == V{"\t", "Hello"});
    CHECK(split("I've 'RE you", k) == V{"I", "'ve", " '", "RE", " you"});
    CHECK(split("3333333 x", k) == V{"3333333", " x"});
    CHECK(split("a, b!!\n\nc", k) == V{"a", ",", " b", "!!", "\n", "\n", "c"});
    CHECK(split("end   ", k) == V{"end", "   "});
    CHECK(split("'s's", k) == V{"'s", "'s"});
    CHECK(split("!'s", k) == V{"!'", "s"});
}
