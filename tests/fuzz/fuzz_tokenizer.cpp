// The tokenizers on arbitrary text, with the properties tokenizer.h promises checked on every
// input:
//   - every id encode() returns is inside the vocabulary;
//   - decode(encode(x)) == x: for byte-level BPE always (every byte has a token); for
//     SentencePiece except that a literal U+2581 "▁" comes back as a space (tokenizer_spm.h);
//   - encode_marked() with the whole text marked as message content reads no Control token,
//     so it equals encode(x, parse_special = false); with nothing marked it equals encode(x, true);
//   - add_bos prepends exactly the BOS token.
// Two vocabularies: the built-in model's trained BPE (4096 tokens, 3837 merges) and a small
// SentencePiece one made here, with byte fallback, a UserDefined and a Control token.
#include "engine/gguf/gguf_reader.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/fuzz/fuzz_support.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

const tern::Tokenizer& spm_tokenizer() {
    static const std::unique_ptr<tern::Tokenizer> tok = [] {
        std::vector<std::string> tokens = {"<unk>", "<s>", "</s>", "<|eot_id|>", "<|user|>"};
        std::vector<int32_t> types = {2, 3, 3, 3, 4};  // Unknown, Control x3, UserDefined
        for (int b = 0; b < 256; ++b) {
            char text[8];
            std::snprintf(text, sizeof text, "<0x%02X>", b);
            tokens.push_back(text);
            types.push_back(6);  // Byte
        }
        // Pieces and scores: the higher the score, the earlier the merge. Enough overlapping
        // pieces that merge order matters ("▁the" can form through "▁t"+"he" or "▁th"+"e").
        static const char* pieces[] = {
            "▁", "e", "t", "h", "a", "o", "n", "s", "i", "r", "d", "l", "u", "w", "y", ".",
            ",", "'", "\xC3\xA9", "\xE4\xB8\xAD", "\xF0\x9F\xA6\x99", "he", "th", "in", "er", "an", "on",
            "▁t", "▁a", "▁s", "▁w", "▁th",
            "▁the", "▁and", "▁▁", "ing", "ed", "er▁",
            "▁once", "▁upon", "▁time", "ti", "me", "up", "on▁",
        };
        std::vector<float> scores(tokens.size(), 0.0f);
        float score = -1.0f;
        for (const char* p : pieces) {
            tokens.push_back(p);
            types.push_back(1);  // Normal
            scores.push_back(score);
            score -= 0.5f;
        }
        tern::GgufWriter w;
        w.add("tokenizer.ggml.model", tern::GgufValue::str("llama"));
        w.add("tokenizer.ggml.tokens", tern::GgufValue::string_array(tokens));
        w.add("tokenizer.ggml.scores", tern::GgufValue::f32_array(scores));
        w.add("tokenizer.ggml.token_type", tern::GgufValue::i32_array(types));
        w.add("tokenizer.ggml.unknown_token_id", tern::GgufValue::u32(0));
        w.add("tokenizer.ggml.bos_token_id", tern::GgufValue::u32(1));
        w.add("tokenizer.ggml.eos_token_id", tern::GgufValue::u32(2));
        w.add("tokenizer.ggml.add_bos_token", tern::GgufValue::boolean(true));
        const std::string& path = tern_fuzz::scratch_path("spm-vocab.gguf");
        w.write(path);
        tern::GgufFile f = tern::GgufFile::open(path);
        return tern::Tokenizer::from_gguf(f);
    }();
    return *tok;
}

[[noreturn]] void fail(const char* what, std::string_view text) {
    std::fprintf(stderr, "fuzz_tokenizer: %s (text of %zu bytes)\n", what, text.size());
    std::abort();
}

void check(const tern::Tokenizer& tok, std::string_view text, bool parse_special, bool spm) {
    const std::vector<int32_t> ids = tok.encode(text, false, parse_special);
    for (int32_t id : ids)
        if (id < 0 || id >= tok.n_vocab()) fail("encode() returned an id outside the vocabulary", text);

    const bool has_space_mark = text.find("\xE2\x96\x81") != std::string_view::npos;
    if (!(spm && has_space_mark) && tok.decode(ids) != text) fail("decode(encode(x)) != x", text);

    std::string concatenated;
    for (int32_t id : ids) concatenated += tok.token_bytes(id);
    if (!spm && concatenated != text) fail("token_bytes() do not spell the text", text);

    const std::vector<std::pair<size_t, size_t>> all_plain = {{0, text.size()}};
    const std::vector<int32_t> marked = tok.encode_marked(text, false, parse_special ? std::vector<std::pair<size_t, size_t>>{} : all_plain);
    if (marked != ids) fail("encode_marked() differs from encode()", text);

    if (tok.bos_id() >= 0 && tok.add_bos()) {
        const std::vector<int32_t> with_bos = tok.encode(text, true, parse_special);
        if (with_bos.empty() || with_bos[0] != tok.bos_id() ||
            !std::equal(ids.begin(), ids.end(), with_bos.begin() + 1, with_bos.end()))
            fail("add_bos did not prepend exactly BOS", text);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    // First byte: which vocabulary and whether special-token texts are parsed; the rest is text.
    const uint8_t mode = data[0];
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    const bool spm = mode & 1;
    check(spm ? spm_tokenizer() : tern_fuzz::default_tokenizer(), text, (mode & 2) != 0, spm);
    return 0;
}
