#include "engine/tokenizer/tokenizer.h"

#include "engine/error.h"
#include "engine/gguf/gguf_reader.h"
#include "engine/tokenizer/tokenizer_bpe.h"
#include "engine/tokenizer/tokenizer_spm.h"

#include <fmt/format.h>

namespace tern {

std::unique_ptr<Tokenizer> Tokenizer::from_gguf(const GgufFile& file) {
    const std::string model = file.get_string("tokenizer.ggml.model");
    if (model == "gpt2") return std::make_unique<BpeTokenizer>(file);
    if (model == "llama") return std::make_unique<SpmTokenizer>(file);
    throw Error(fmt::format("tokenizer.ggml.model '{}' is not supported (Tern reads 'gpt2' "
                            "byte-level BPE and 'llama' SentencePiece vocabularies)",
                            model));
}

Tokenizer::Tokenizer(const GgufFile& file) : vocab_(file) {}

Tokenizer::~Tokenizer() = default;

void Tokenizer::check_id(int32_t id) const {
    if (!vocab_.valid(id))
        throw Error(fmt::format("token id {} is outside the vocabulary (0..{})", id, vocab_.size() - 1));
}

const std::string& Tokenizer::token_text(int32_t id) const {
    check_id(id);
    return vocab_.text(id);
}

TokenType Tokenizer::token_type(int32_t id) const {
    check_id(id);
    return vocab_.type(id);
}

template <class MayParse>
std::vector<int32_t> Tokenizer::encode_impl(std::string_view text, bool add_bos, MayParse may_parse) const {
    std::vector<int32_t> out;
    out.reserve(text.size() / 3 + 2);
    if (add_bos && add_bos_ && vocab_.bos_id() >= 0) out.push_back(vocab_.bos_id());

    // Cut the text at special-token texts (leftmost, longest first) and encode the runs between.
    bool fragment_start = true;
    size_t run_begin = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        const auto byte = static_cast<uint8_t>(text[pos]);
        int32_t special = vocab_.may_start_special(byte) ? vocab_.match_special(text, pos, true) : -1;
        // A Control token where it may not be read: fall back to the always-read UserDefined ones.
        if (special >= 0 && !may_parse(pos, pos + vocab_.text(special).size()))
            special = vocab_.match_special(text, pos, false);
        if (special < 0) {
            ++pos;
            continue;
        }
        if (pos > run_begin) {
            encode_text(text.substr(run_begin, pos - run_begin), fragment_start, out);
        }
        out.push_back(special);
        fragment_start = true;
        pos += vocab_.text(special).size();
        run_begin = pos;
    }
    if (text.size() > run_begin) encode_text(text.substr(run_begin), fragment_start, out);
    return out;
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_bos, bool parse_special) const {
    return encode_impl(text, add_bos, [parse_special](size_t, size_t) { return parse_special; });
}

std::vector<int32_t> Tokenizer::encode_marked(std::string_view text, bool add_bos,
                                              const std::vector<std::pair<size_t, size_t>>& plain) const {
    return encode_impl(text, add_bos, [&plain](size_t begin, size_t end) {
        for (const auto& r : plain)
            if (begin < r.second && r.first < end) return false;
        return true;
    });
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skip_special) const {
    std::string out;
    const bool strip = strips_prefix_space();
    bool fragment_start = true;  // mirrors encode(): where SentencePiece added a space
    for (int32_t id : ids) {
        check_id(id);
        if (vocab_.is_boundary(id)) {
            if (!(skip_special && vocab_.is_special(id))) out += token_bytes(id);
            fragment_start = true;
            continue;
        }
        std::string piece = token_bytes(id);
        if (piece.empty()) continue;
        if (strip && fragment_start && piece[0] == ' ') piece.erase(0, 1);
        fragment_start = false;
        out += piece;
    }
    return out;
}

}  // namespace tern
