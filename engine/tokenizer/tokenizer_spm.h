#pragma once
// SentencePiece-style tokenizer (tokenizer.ggml.model = "llama", LLaMA 2 vocabularies), as
// llama.cpp's "llama" vocabulary runs it:
//   - spaces are written as U+2581 "▁", and one space is added in front of the text and after
//     every special token (tokenizer.ggml.add_space_prefix, default true);
//   - adjacent pieces are merged greedily, the pair whose merged text is the highest-scoring
//     vocabulary piece first (leftmost on ties);
//   - a character with no piece of its own becomes its UTF-8 bytes as <0xXX> tokens (or the
//     unknown token if the vocabulary has no byte tokens).
// decode() removes the added space again, so decode(encode(x)) == x, except that a literal
// "▁" in the input comes back as a space (as in SentencePiece itself).
#include "engine/tokenizer/tokenizer.h"

#include <array>
#include <cstdint>

namespace tern {

class SpmTokenizer final : public Tokenizer {
public:
    explicit SpmTokenizer(const GgufFile& file);

    std::string token_bytes(int32_t id) const override;
    bool add_space_prefix() const { return add_space_prefix_; }

protected:
    void encode_text(std::string_view text, bool fragment_start,
                     std::vector<int32_t>& out) const override;
    bool strips_prefix_space() const override { return add_space_prefix_; }

private:
    // Id of a piece that plain text may produce (Normal or UserDefined), else -1.
    int32_t text_piece(std::string_view text) const;
    // Merges one barrier-free part of the escaped text.
    void encode_segment(std::string_view text, std::vector<int32_t>& out) const;

    bool add_space_prefix_ = true;
    std::array<int32_t, 256> byte_token_{};  // <0xXX>, -1 if missing
    // ASCII bytes that appear in no Normal/UserDefined piece (in LLaMA 2: "\n" and most
    // controls). Such a byte is always a symbol of its own, so no merge crosses it, and the
    // text can be merged in independent parts; without this a 1 MB text is one giant heap.
    std::array<bool, 256> barrier_{};
};

}  // namespace tern
