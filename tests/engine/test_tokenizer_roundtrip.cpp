// decode(encode(x)) == x over varied Unicode for all three vocabularies, and streaming decode
// of generated tokens through Utf8StreamDecoder.
#include "engine/tokenizer/unicode.h"
#include "engine/tokenizer/utf8_stream.h"
#include "kernels/splitmix64.h"
#include "tests/engine/test_tokenizer_fixtures.h"

#include <catch2/catch.hpp>

#include <cstdint>

using namespace tern;

namespace {

// splitmix64: a fixed, portable sequence (std:: distributions differ between libraries).
struct Rng {
    uint64_t s;
    uint64_t next() {
        return splitmix64_next(s);
    }
    uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }
};

// Valid UTF-8 mixing ASCII, spaces, Latin, CJK, emoji, combining marks, RTL scripts, controls
// and arbitrary code points from all planes.
std::string random_text(Rng& rng, size_t n_chars, bool allow_space_mark) {
    std::string s;
    for (size_t i = 0; i < n_chars; ++i) {
        uint32_t cp = 0;
        switch (rng.below(10)) {
            case 0: cp = 0x20 + rng.below(0x5F); break;          // printable ASCII
            case 1: cp = " \t\n\r  "[rng.below(6)]; break;         // whitespace
            case 2: cp = 0x4E00 + rng.below(0x5200); break;       // CJK
            case 3: cp = 0x1F300 + rng.below(0x300); break;       // emoji
            case 4: cp = 0x0300 + rng.below(0x70); break;         // combining marks
            case 5: cp = 0x0590 + rng.below(0x1F0); break;        // Hebrew / Arabic
            case 6: cp = rng.below(0x20); break;                  // C0 controls (incl. NUL)
            case 7: cp = 0x80 + rng.below(0x780); break;          // Latin-1 .. Armenian
            default: cp = rng.below(0x110000); break;             // anything
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
        if (!allow_space_mark && cp == 0x2581) cp = 'x';
        utf8_append(s, cp);
    }
    return s;
}

const std::vector<std::string>& fixed_texts() {
    static const std::vector<std::string> texts = {
        "",
        " ",
        "  leading and trailing  ",
        "Hello, world!",
        "中文字符和日本語のテキスト、한국어 텍스트",
        "emoji 🦙🚀 with ZWJ 👩‍👩‍👧‍👦 and skin tone 👍🏽 and flag 🇫🇷",
        "combining: e\xCC\x81 a\xCC\x8A\xCC\x81 Z\xCD\x91\xCD\x8B\xCD\x98",
        "RTL: שלום עולם, مرحبا بالعالم 123",
        "controls: \x01\x02\x1b[0m\x7f tab\there\r\nnew\n\n\nlines",
        "\xC2\xA0nbsp\xE3\x80\x80ideographic space\xE2\x80\xA8line sep",
        "numbers 1234567890 3.14159 ½ ٣٤٥",
        "I'm sure you'll see they've 'RE said DON'T",
        "<|eot_id|> looks special but is text here <s> </s>",
        "    code:\n\tif (x) {\n\t\treturn y;\n\t}\n",
    };
    return texts;
}

void check_round_trip(const Tokenizer& tok, bool is_spm) {
    size_t checked = 0;
    for (const std::string& t : fixed_texts()) {
        INFO("text: " << t);
        CHECK(tok.decode(tok.encode(t, false, false)) == t);
        ++checked;
    }
    Rng rng{42};
    for (int i = 0; i < 300; ++i) {
        const std::string t = random_text(rng, 1 + rng.below(60), !is_spm);
        REQUIRE(utf8_is_valid(t));
        const std::vector<int32_t> ids = tok.encode(t, false, false);
        const std::string back = tok.decode(ids);
        if (back != t) {
            INFO("random text #" << i << ": " << t);
            CHECK(back == t);
        }
        // With BOS and skip_special the text is the same.
        CHECK(tok.decode(tok.encode(t, true, false), true) == t);
        ++checked;
    }
    CHECK(checked == fixed_texts().size() + 300);
}

}  // namespace

TEST_CASE("round trip: LLaMA 3 BPE", "[tokenizer]") {
    check_round_trip(tern_test::llama3_tokenizer(), false);
}

TEST_CASE("round trip: GPT-2 BPE", "[tokenizer]") {
    check_round_trip(tern_test::gpt2_tokenizer(), false);
}

TEST_CASE("round trip: SentencePiece (the added prefix space is removed again)", "[tokenizer]") {
    const Tokenizer& tok = tern_test::spm_tokenizer();
    check_round_trip(tok, true);
    // Documented exception: a literal U+2581 is SentencePiece's space marker and comes back as a space.
    CHECK(tok.decode(tok.encode("a\xE2\x96\x81" "b", false, false)) == "a b");
}

TEST_CASE("round trip: byte-level BPE keeps invalid UTF-8 bytes", "[tokenizer]") {
    const std::string bytes = "ok \xFF\xFE broken \xE2\x82 end\x80";
    CHECK(tern_test::llama3_tokenizer().decode(tern_test::llama3_tokenizer().encode(bytes, false, false)) == bytes);
    CHECK(tern_test::gpt2_tokenizer().decode(tern_test::gpt2_tokenizer().encode(bytes, false, false)) == bytes);
}

TEST_CASE("round trip with parse_special keeps special texts", "[tokenizer]") {
    const Tokenizer& tok = tern_test::llama3_tokenizer();
    const std::string t = "<|start_header_id|>user<|end_header_id|>\n\nHi 🦙<|eot_id|>";
    CHECK(tok.decode(tok.encode(t, false, true)) == t);
    const Tokenizer& spm = tern_test::spm_tokenizer();
    const std::string s = "<s>Hello</s> again";
    const std::vector<int32_t> ids = spm.encode(s, false, true);
    CHECK(ids.front() == 1);
    CHECK(spm.decode(ids) == s);
}

TEST_CASE("Utf8StreamDecoder reassembles characters fed byte by byte", "[tokenizer]") {
    const std::string text = "a😀b🦙ü中\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 end";
    Utf8StreamDecoder dec;
    std::string out;
    for (char c : text) {
        const std::string piece = dec.push(std::string_view(&c, 1));
        CHECK(utf8_is_valid(piece));  // never a partial character
        out += piece;
    }
    out += dec.flush();
    CHECK(out == text);

    // The first three bytes of an emoji give nothing; the fourth gives the whole emoji.
    Utf8StreamDecoder d2;
    CHECK(d2.push("\xF0\x9F").empty());
    CHECK(d2.push("\x98").empty());
    CHECK(d2.pending() == 3);
    CHECK(d2.push("\x80") == "😀");
    CHECK(d2.pending() == 0);
}

TEST_CASE("Utf8StreamDecoder on invalid bytes", "[tokenizer]") {
    const std::string fffd = "\xEF\xBF\xBD";
    Utf8StreamDecoder dec;
    CHECK(dec.push("\xFF") == fffd);             // never valid: replaced at once
    CHECK(dec.push("\x80x") == fffd + "x");      // stray continuation byte
    CHECK(dec.push("\xF0\x9F").empty());         // could still become an emoji...
    CHECK(dec.push("a") == fffd + "a");          // ...but was cut short
    CHECK(dec.push("\xE2\x82").empty());
    CHECK(dec.flush() == fffd);                  // end of stream with a partial character
    CHECK(dec.flush().empty());
    CHECK(dec.push("\xC0\xAF") == fffd + fffd);  // overlong: both bytes invalid

    // Random byte soup in random chunks: always valid output, always makes progress.
    Rng rng{7};
    for (int round = 0; round < 200; ++round) {
        Utf8StreamDecoder d;
        std::string all;
        for (int chunk = 0; chunk < 20; ++chunk) {
            std::string bytes;
            const uint32_t n = rng.below(6);
            for (uint32_t i = 0; i < n; ++i) bytes += static_cast<char>(rng.below(256));
            all += d.push(bytes);
            CHECK(d.pending() <= 3);
        }
        all += d.flush();
        CHECK(utf8_is_valid(all));
    }
}

TEST_CASE("streaming decode of generated tokens never splits a character", "[tokenizer]") {
    for (const Tokenizer* tok : {&tern_test::llama3_tokenizer(), &tern_test::gpt2_tokenizer()}) {
        const std::string text = "Llamas 🦙 and rockets 🚀 — 中文 👩‍👩‍👧 done";
        const std::vector<int32_t> ids = tok->encode(text, false, false);
        Utf8StreamDecoder dec;
        std::string out;
        size_t held_back = 0;
        for (int32_t id : ids) {
            const std::string bytes = tok->token_bytes(id);
            const std::string piece = dec.push(bytes);
            if (!utf8_is_valid(bytes)) ++held_back;  // a token holding part of a character
            CHECK(utf8_is_valid(piece));
            out += piece;
        }
        out += dec.flush();
        CHECK(out == text);
        CHECK(held_back > 0);  // the test does exercise split characters
    }
}
