#pragma once
// Text <-> token ids, built from a GGUF file's tokenizer.* keys. Two families:
//   - "gpt2": byte-level BPE (GPT-2, LLaMA 3 / BitNet b1.58 2B4T, Falcon3), see tokenizer_bpe.h
//   - "llama": SentencePiece-style BPE over scores (LLaMA 2), see tokenizer_spm.h
// Thread safety: a Tokenizer is immutable after construction; all methods are const and may be
// called from several threads at once.
#include "engine/tokenizer/vocab.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tern {

class GgufFile;

class Tokenizer {
public:
    // Picks the implementation from tokenizer.ggml.model. Throws tern::Error naming the key.
    static std::unique_ptr<Tokenizer> from_gguf(const GgufFile& file);
    virtual ~Tokenizer();
    Tokenizer(const Tokenizer&) = delete;
    Tokenizer& operator=(const Tokenizer&) = delete;

    // add_bos: prepend BOS if this vocabulary wants one (add_bos()) and has one.
    // parse_special: Control texts such as "<|eot_id|>" in `text` become their token; otherwise
    // they are tokenized as plain characters. UserDefined tokens are always recognised.
    std::vector<int32_t> encode(std::string_view text, bool add_bos, bool parse_special) const;
    // Like encode(text, add_bos, true), except that no Control token is read from text that
    // overlaps one of the byte ranges [begin, end) in `plain` (message contents in a chat prompt).
    std::vector<int32_t> encode_marked(std::string_view text, bool add_bos,
                                       const std::vector<std::pair<size_t, size_t>>& plain) const;

    // Raw bytes this token stands for (may be part of a UTF-8 character; special tokens give
    // their text). Throws tern::Error for an id outside the vocabulary.
    virtual std::string token_bytes(int32_t id) const = 0;
    // Concatenated token bytes. SentencePiece vocabularies drop the space that encode() adds in
    // front of the text (and after every special token), so decode(encode(x)) == x.
    std::string decode(const std::vector<int32_t>& ids, bool skip_special = false) const;

    int32_t n_vocab() const { return vocab_.size(); }
    int32_t bos_id() const { return vocab_.bos_id(); }
    int32_t eos_id() const { return vocab_.eos_id(); }
    bool add_bos() const { return add_bos_; }
    bool is_special(int32_t id) const { return vocab_.valid(id) && vocab_.is_special(id); }
    // EOS, EOT/EOM ids and the usual end markers (<|eot_id|>, <|im_end|>, <|endoftext|>, ...).
    bool is_eog(int32_t id) const { return vocab_.is_eog(id); }
    const std::vector<int32_t>& eog_ids() const { return vocab_.eog_ids(); }
    std::optional<int32_t> find_token(std::string_view text) const { return vocab_.find(text); }
    const std::string& token_text(int32_t id) const;  // as stored in the vocabulary
    TokenType token_type(int32_t id) const;
    const std::string& model_name() const { return vocab_.model(); }  // "gpt2" / "llama"
    // Pre-tokenizer actually used: "llama3", "gpt2" (BPE) or "none" (SentencePiece).
    const std::string& pre_name() const { return pre_name_; }

protected:
    explicit Tokenizer(const GgufFile& file);
    // Shared by encode() and encode_marked(): may_parse(begin, end) says whether a Control
    // token found at text[begin, end) may be read as that token.
    template <class MayParse>
    std::vector<int32_t> encode_impl(std::string_view text, bool add_bos, MayParse may_parse) const;
    // Encodes text that contains no special tokens. `fragment_start` is true at the start of the
    // input and right after a special token (SentencePiece adds its prefix space there).
    virtual void encode_text(std::string_view text, bool fragment_start,
                             std::vector<int32_t>& out) const = 0;
    // Whether decode() removes the leading space of a text run (see decode()).
    virtual bool strips_prefix_space() const { return false; }
    void check_id(int32_t id) const;

    Vocab vocab_;
    bool add_bos_ = false;
    std::string pre_name_ = "none";
};

}  // namespace tern
