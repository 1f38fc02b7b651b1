#pragma once
// Byte-level BPE (tokenizer.ggml.model = "gpt2"): GPT-2, LLaMA 3 / BitNet b1.58 2B4T, Falcon3.
// Text is split into words by a pre-tokenizer regex (pretokenizer.h), each word's bytes are
// spelled in GPT-2's printable byte alphabet, and merges are applied lowest rank first.
#include "engine/tokenizer/pretokenizer.h"
#include "engine/tokenizer/tokenizer_hash.h"
#include "engine/tokenizer/tokenizer.h"

#include <array>
#include <cstdint>

namespace tern {

class GgufValue;

// GPT-2's reversible byte <-> code point mapping: printable Latin-1 bytes stand for themselves,
// the other 68 bytes (controls, space, DEL, NBSP, soft hyphen) become U+0100.. in byte order,
// so that every token text is printable and has no spaces.
uint32_t gpt2_byte_to_codepoint(uint8_t byte);
// The byte a code point of that alphabet stands for, or -1 if it is not in the alphabet.
int gpt2_codepoint_to_byte(uint32_t cp);

class BpeTokenizer final : public Tokenizer {
public:
    // Reads tokenizer.ggml.merges (required) and tokenizer.ggml.pre (see pre-tokenizer choice
    // in the .cpp). Throws tern::Error naming the key.
    explicit BpeTokenizer(const GgufFile& file);

    std::string token_bytes(int32_t id) const override;
    PreTokenizerKind pre_tokenizer() const { return pre_; }
    // Merges usable for encoding (those whose parts and result are all in the vocabulary).
    size_t n_merges() const { return merges_.size(); }

protected:
    void encode_text(std::string_view text, bool fragment_start,
                     std::vector<int32_t>& out) const override;

private:
    struct Scratch;  // per-call buffers reused across the words of one text

    void load_merges(const GgufValue& merges);
    void encode_word(std::string_view word, Scratch& scratch, std::vector<int32_t>& out) const;

    PreTokenizerKind pre_ = PreTokenizerKind::Gpt2;
    // LLaMA 3 (Hugging Face "ignore_merges"): a word that is itself a vocabulary token is emitted
    // as that token even when the merges would have built it differently.
    bool ignore_merges_ = false;
    MergeTable merges_;
    std::array<int32_t, 256> byte_token_{};       // token of each byte's one-character text
    std::array<std::string, 256> byte_text_;      // each byte spelled in the GPT-2 alphabet
};

}  // namespace tern
