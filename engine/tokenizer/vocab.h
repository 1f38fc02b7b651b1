#pragma once
// The vocabulary part every tokenizer shares, read from a GGUF file's tokenizer.ggml.* keys:
// token texts and types, the text -> id index, special ids (BOS/EOS/EOT/UNK), the end-of-
// generation set, and the matcher that finds special-token texts inside user text.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/gguf/gguf_value.h"
#include "engine/tokenizer/tokenizer_hash.h"
#include "engine/tokenizer/tokenizer_trie.h"

namespace tern {

class GgufFile;

enum class TokenType : int32_t {
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
};

class Vocab {
public:
    // Reads tokenizer.ggml.{model,tokens,token_type,scores} and the special ids. Throws
    // tern::Error (or GgufError) naming the key on anything malformed.
    explicit Vocab(const GgufFile& file);
    // The index refers to the token texts, so the object must stay where it was built.
    Vocab(const Vocab&) = delete;
    Vocab& operator=(const Vocab&) = delete;

    const std::string& model() const { return model_; }
    int32_t size() const { return static_cast<int32_t>(tokens_.size()); }
    bool valid(int32_t id) const { return id >= 0 && id < size(); }
    const std::string& text(int32_t id) const { return tokens_.at(static_cast<size_t>(id)); }
    const std::vector<std::string>& texts() const { return tokens_; }
    TokenType type(int32_t id) const { return types_.at(static_cast<size_t>(id)); }
    float score(int32_t id) const { return scores_.empty() ? 0.0f : scores_.at(static_cast<size_t>(id)); }
    std::optional<int32_t> find(std::string_view text) const;

    // -1 when the vocabulary has none.
    int32_t bos_id() const { return bos_; }
    int32_t eos_id() const { return eos_; }
    int32_t unk_id() const { return unk_; }
    // tokenizer.ggml.add_bos_token / add_space_prefix when present.
    std::optional<bool> add_bos_key() const { return add_bos_key_; }
    std::optional<bool> add_space_prefix_key() const { return add_space_prefix_key_; }

    // Control and Unknown tokens: markup rather than text (skipped by decode(skip_special)).
    bool is_special(int32_t id) const;
    // Tokens that split the text into fragments when encoding: specials and UserDefined ones.
    bool is_boundary(int32_t id) const;
    bool is_eog(int32_t id) const;
    const std::vector<int32_t>& eog_ids() const { return eog_; }

    // The longest special-token text that starts at text[pos], or -1. UserDefined tokens always
    // match (Hugging Face and llama.cpp both split them out of plain text); Control and Unknown
    // tokens only when parse_special is true.
    int32_t match_special(std::string_view text, size_t pos, bool parse_special) const;
    // True if some special text starts with this byte (a cheap pre-check for match_special).
    bool may_start_special(uint8_t byte) const { return specials_.may_start(byte); }

private:
    void read_special_ids(const GgufFile& file);
    void build_special_index();

    std::string model_;
    // The token texts stay in the GgufValue's shared payload (copying 128k strings is wasted
    // work); tokens_ refers into it.
    GgufValue tokens_value_;
    const std::vector<std::string>& tokens_;
    std::vector<TokenType> types_;
    std::vector<float> scores_;
    TokenIndex index_;
    int32_t bos_ = -1, eos_ = -1, unk_ = -1;
    std::optional<bool> add_bos_key_, add_space_prefix_key_;
    std::vector<int32_t> eog_;
    std::vector<bool> eog_mask_;
    SpecialTokenTrie specials_;
};

}  // namespace tern
