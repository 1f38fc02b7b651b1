#include "engine/tokenizer/vocab.h"

#include "engine/error.h"
#include "engine/gguf/gguf_reader.h"

#include <fmt/format.h>

namespace tern {

namespace {

constexpr const char* kTokensKey = "tokenizer.ggml.tokens";
constexpr const char* kTypesKey = "tokenizer.ggml.token_type";
constexpr const char* kScoresKey = "tokenizer.ggml.scores";

// Texts that end generation in the model families Tern runs (llama.cpp detects the same set),
// whatever type the file gives them.
constexpr const char* kEogTexts[] = {"<|eot_id|>", "<|im_end|>", "<|end_of_text|>", "<|endoftext|>",
                                     "<|eom_id|>", "<|end|>",    "<end_of_turn>",   "<EOT>"};

// "<|...|>" texts are chat markup in every vocabulary that uses them; some converters leave
// them typed Normal, which would let plain text spell them.
bool looks_like_markup(const std::string& t) {
    return t.size() > 4 && t.compare(0, 2, "<|") == 0 && t.compare(t.size() - 2, 2, "|>") == 0 &&
           t.find(' ') == std::string::npos;
}

// Checked before the members that depend on it are initialised.
const GgufValue& checked_tokens(const GgufFile& file) {
    const GgufValue& tokens = file.get_array(kTokensKey);
    if (tokens.array_type() != GgufValueType::STRING)
        throw Error(fmt::format("{} must be an array of strings, not of {}", kTokensKey,
                                gguf_value_type_name(tokens.array_type())));
    if (tokens.array_size() == 0) throw Error(fmt::format("{} is empty", kTokensKey));
    if (tokens.array_size() > static_cast<size_t>(INT32_MAX))
        throw Error(fmt::format("{} has too many entries ({})", kTokensKey, tokens.array_size()));
    return tokens;
}

}  // namespace

Vocab::Vocab(const GgufFile& file)
    : model_(file.get_string("tokenizer.ggml.model")),
      tokens_value_(checked_tokens(file)),
      tokens_(tokens_value_.as_string_array()) {
    const size_t n = tokens_.size();

    types_.assign(n, TokenType::Normal);
    if (const GgufValue* tt = file.find(kTypesKey)) {
        const GgufValueType et = tt->type() == GgufValueType::ARRAY ? tt->array_type() : GgufValueType::STRING;
        const bool int_elems = et != GgufValueType::STRING && et != GgufValueType::ARRAY &&
                               et != GgufValueType::FLOAT32 && et != GgufValueType::FLOAT64 &&
                               et != GgufValueType::BOOL;
        if (!int_elems || tt->array_size() != n)
            throw Error(fmt::format("{} must be an integer array with one entry per token ({})",
                                    kTypesKey, n));
        for (size_t i = 0; i < n; ++i) {
            const int64_t v = tt->int_at(i);
            if (v < 0 || v > 6)
                throw Error(fmt::format("{}[{}] = {} is not a token type (0..6)", kTypesKey, i, v));
            types_[i] = static_cast<TokenType>(v);
        }
    }
    if (const GgufValue* sc = file.find(kScoresKey)) {
        const GgufValueType et = sc->type() == GgufValueType::ARRAY ? sc->array_type() : GgufValueType::STRING;
        if (et == GgufValueType::STRING || et == GgufValueType::ARRAY || et == GgufValueType::BOOL ||
            sc->array_size() != n)
            throw Error(fmt::format("{} must be a float array with one entry per token ({})",
                                    kScoresKey, n));
        scores_ = sc->as_float_array();
    }

    // Later duplicates win, as in llama.cpp, so both engines agree on such (broken) files.
    index_.build(tokens_);

    add_bos_key_ = file.get_bool_opt("tokenizer.ggml.add_bos_token");
    add_space_prefix_key_ = file.get_bool_opt("tokenizer.ggml.add_space_prefix");
    read_special_ids(file);
    build_special_index();
}

void Vocab::read_special_ids(const GgufFile& file) {
    auto read_id = [&](const char* key) -> int32_t {
        const std::optional<uint64_t> v = file.get_uint_opt(key);
        if (!v) return -1;
        if (*v >= tokens_.size())
            throw Error(fmt::format("{} = {} is outside the vocabulary (0..{})", key, *v,
                                    tokens_.size() - 1));
        return static_cast<int32_t>(*v);
    };
    auto by_text = [&](std::initializer_list<const char*> texts) -> int32_t {
        for (const char* t : texts)
            if (auto id = find(t)) return *id;
        return -1;
    };
    bos_ = read_id("tokenizer.ggml.bos_token_id");
    eos_ = read_id("tokenizer.ggml.eos_token_id");
    unk_ = read_id("tokenizer.ggml.unknown_token_id");
    const int32_t eot = read_id("tokenizer.ggml.eot_token_id");
    const int32_t eom = read_id("tokenizer.ggml.eom_token_id");
    if (bos_ < 0) bos_ = by_text({"<|begin_of_text|>", "<s>", "<|endoftext|>"});
    if (eos_ < 0) eos_ = by_text({"<|end_of_text|>", "</s>", "<|endoftext|>"});
    if (unk_ < 0) unk_ = by_text({"<unk>"});

    eog_mask_.assign(tokens_.size(), false);
    auto add_eog = [&](int32_t id) {
        if (id < 0 || eog_mask_[static_cast<size_t>(id)]) return;
        eog_mask_[static_cast<size_t>(id)] = true;
        eog_.push_back(id);
    };
    add_eog(eos_);
    add_eog(eot);
    add_eog(eom);
    for (const char* t : kEogTexts) {
        auto id = find(t);
        if (!id) continue;
        add_eog(*id);
        // An end marker must never be produced by spelling it in plain text.
        TokenType& ty = types_[static_cast<size_t>(*id)];
        if (ty == TokenType::Normal || ty == TokenType::Undefined) ty = TokenType::Control;
    }
}

void Vocab::build_special_index() {
    for (size_t i = 0; i < tokens_.size(); ++i) {
        TokenType& ty = types_[i];
        if ((ty == TokenType::Normal || ty == TokenType::Undefined) && looks_like_markup(tokens_[i]))
            ty = TokenType::Control;
        if (is_boundary(static_cast<int32_t>(i)))
            specials_.add(tokens_[i], static_cast<int32_t>(i), ty == TokenType::UserDefined);
    }
}

std::optional<int32_t> Vocab::find(std::string_view text) const {
    const int32_t id = index_.find(text);
    if (id < 0) return std::nullopt;
    return id;
}

bool Vocab::is_special(int32_t id) const {
    const TokenType t = type(id);
    return t == TokenType::Control || t == TokenType::Unknown;
}

bool Vocab::is_boundary(int32_t id) const {
    return is_special(id) || type(id) == TokenType::UserDefined;
}

bool Vocab::is_eog(int32_t id) const {
    return valid(id) && eog_mask_[static_cast<size_t>(id)];
}

int32_t Vocab::match_special(std::string_view text, size_t pos, bool parse_special) const {
    return specials_.match(text, pos, parse_special);
}

}  // namespace tern
