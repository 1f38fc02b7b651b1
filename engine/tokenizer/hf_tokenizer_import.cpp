#include "engine/tokenizer/hf_tokenizer_import.h"

#include "engine/error.h"
#include "engine/gguf/gguf_value.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/tokenizer/json_file.h"
#include "engine/tokenizer/vocab.h"

#include <fmt/format.h>

#include <fstream>
#include <optional>

namespace tern {

namespace {

using nlohmann::json;

// The LLaMA 3 split as Hugging Face writes it, and llama.cpp's equivalent without (?i:).
constexpr const char* kLlama3Patterns[] = {
    R"re((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re",
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re",
};

struct Importer {
    std::string path;

    [[noreturn]] void fail(const std::string& what) const {
        throw Error(fmt::format("{}: {}", path, what));
    }

    const json& member(const json& obj, const char* key, const char* where) const {
        const json* v = json_find(obj, key);
        if (!v) fail(fmt::format("{} has no \"{}\"", where, key));
        return *v;
    }

    // "llama-bpe" or "gpt-2" from the pre_tokenizer section.
    std::string detect_pre(const json* pt) const {
        if (!pt || pt->is_null()) fail("no pre_tokenizer: only byte-level BPE tokenizers are supported");
        std::vector<const json*> steps;
        const json* type = json_find(*pt, "type");
        if (type && type->is_string() && json_string(*type) == "Sequence") {
            for (const json& s : json_array(member(*pt, "pretokenizers", "pre_tokenizer"))) steps.push_back(&s);
        } else {
            steps.push_back(pt);
        }
        bool llama3_split = false, byte_level = false, byte_level_regex = false;
        for (const json* s : steps) {
            const std::string& t = json_string(member(*s, "type", "pre_tokenizer step"));
            if (t == "Split") {
                const json* regex = json_find(member(*s, "pattern", "Split pre_tokenizer"), "Regex");
                if (!regex || !regex->is_string()) fail("Split pre_tokenizer without a Regex pattern is not supported");
                bool known = false;
                for (const char* p : kLlama3Patterns) known = known || json_string(*regex) == p;
                if (!known)
                    fail(fmt::format("Split pre_tokenizer pattern '{}' is not supported (only the LLaMA 3 pattern)",
                                     json_string(*regex)));
                const json* invert = json_find(*s, "invert");
                if (invert && invert->is_boolean() && json_bool(*invert)) fail("inverted Split pre_tokenizer is not supported");
                llama3_split = true;
            } else if (t == "ByteLevel") {
                const json* prefix = json_find(*s, "add_prefix_space");
                if (prefix && prefix->is_boolean() && json_bool(*prefix))
                    fail("ByteLevel pre_tokenizer with add_prefix_space=true is not supported");
                const json* use_regex = json_find(*s, "use_regex");
                byte_level = true;
                byte_level_regex = !use_regex || !use_regex->is_boolean() || json_bool(*use_regex);
            } else {
                fail(fmt::format("pre_tokenizer type '{}' is not supported", t));
            }
        }
        if (!byte_level) fail("pre_tokenizer has no ByteLevel step: not a byte-level BPE tokenizer");
        if (llama3_split && !byte_level_regex) return "llama-bpe";
        if (!llama3_split && byte_level_regex) return "gpt-2";
        fail("pre_tokenizer combines the LLaMA 3 split with ByteLevel's own regex: not supported");
    }
};

std::optional<int32_t> find_text(const std::vector<std::string>& tokens, const std::string& text) {
    for (size_t i = 0; i < tokens.size(); ++i)
        if (tokens[i] == text) return static_cast<int32_t>(i);
    return std::nullopt;
}

// bos_token / eos_token of a tokenizer_config.json: a string, {"content": ...} or null.
std::optional<std::string> config_token(const json& cfg, const char* key) {
    const json* v = json_find(cfg, key);
    if (!v) return std::nullopt;
    if (v->is_string()) return json_string(*v);
    if (v->is_object()) {
        const json* c = json_find(*v, "content");
        if (c && c->is_string()) return json_string(*c);
    }
    return std::nullopt;
}

std::optional<json> read_config_beside(const std::string& path) {
    std::vector<std::string> candidates;
    const std::string suffix = "tokenizer.json";
    if (path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0)
        candidates.push_back(path.substr(0, path.size() - suffix.size()) + "tokenizer_config.json");
    const size_t slash = path.find_last_of("/\\");
    candidates.push_back((slash == std::string::npos ? std::string() : path.substr(0, slash + 1)) +
                         "tokenizer_config.json");
    for (const std::string& c : candidates) {
        if (!std::ifstream(c)) continue;
        json cfg = parse_json_file(c);
        if (cfg.is_object()) return cfg;
    }
    return std::nullopt;
}

// True if a TemplateProcessing post-processor puts the special token `bos` in front of a
// single sequence (possibly inside a Sequence of post-processors).
bool post_processor_adds(const json* pp, const std::string& bos) {
    if (!pp || !pp->is_object()) return false;
    const json* type = json_find(*pp, "type");
    if (!type || !type->is_string()) return false;
    if (json_string(*type) == "Sequence") {
        const json* list = json_find(*pp, "processors");
        if (list && list->is_array())
            for (const json& p : *list)
                if (post_processor_adds(&p, bos)) return true;
        return false;
    }
    if (json_string(*type) != "TemplateProcessing") return false;
    const json* single = json_find(*pp, "single");
    if (!single || !single->is_array() || single->empty()) return false;
    const json* st = json_find((*single)[0], "SpecialToken");
    const json* id = st ? json_find(*st, "id") : nullptr;
    return id && id->is_string() && json_string(*id) == bos;
}

}  // namespace

void import_hf_tokenizer(const std::string& path, GgufWriter& out) {
    Importer im{path};
    const json root = parse_json_file(path);
    if (!root.is_object()) im.fail("not a JSON object");
    try {
        const json& model = im.member(root, "model", "tokenizer.json");
        const json* mtype = json_find(model, "type");
        if (mtype && !(mtype->is_string() && json_string(*mtype) == "BPE"))
            im.fail(fmt::format("model type {} is not supported (only byte-level BPE)",
                                mtype->is_string() ? json_string(*mtype) : json_type_name(*mtype)));
        const json* fallback = json_find(model, "byte_fallback");
        if (fallback && fallback->is_boolean() && json_bool(*fallback))
            im.fail("BPE with byte_fallback (SentencePiece-style) is not supported");
        const json* normalizer = json_find(root, "normalizer");
        if (normalizer && !normalizer->is_null()) im.fail("normalizers are not supported");
        const std::string pre = im.detect_pre(json_find(root, "pre_tokenizer"));

        // Vocabulary: model.vocab plus added_tokens, which must fill 0..n-1 without gaps. So no
        // id can reach the number of entries present, and checking that before resizing keeps a
        // 161-byte file claiming id 2,147,483,000 from allocating gigabytes.
        const json& vocab = json_object(im.member(model, "vocab", "model"));
        const json* added = json_find(root, "added_tokens");
        if (added && !added->is_array()) added = nullptr;
        const size_t n_entries = vocab.size() + (added ? added->size() : 0);
        std::vector<std::string> tokens;
        std::vector<int32_t> types;
        std::vector<bool> seen;
        auto place = [&](int64_t id, const std::string& text, TokenType type, const char* where) {
            if (id < 0 || id >= INT32_MAX || static_cast<uint64_t>(id) >= n_entries)
                im.fail(fmt::format("{} id {} is out of range: ids must fill 0..{} (the file has {} entries)", where, id,
                                    static_cast<int64_t>(n_entries) - 1, n_entries));
            const auto i = static_cast<size_t>(id);
            if (i >= tokens.size()) {
                tokens.resize(i + 1);
                types.resize(i + 1, static_cast<int32_t>(TokenType::Normal));
                seen.resize(i + 1, false);
            }
            if (seen[i] && tokens[i] != text)
                im.fail(fmt::format("id {} is used by both '{}' and '{}'", id, tokens[i], text));
            tokens[i] = text;
            seen[i] = true;
            if (type != TokenType::Normal) types[i] = static_cast<int32_t>(type);
        };
        for (const auto& [text, id] : vocab.items()) place(json_int(id), text, TokenType::Normal, "model.vocab");
        if (added) {
            for (const json& t : *added) {
                const json* special = json_find(t, "special");
                const bool is_special = special && special->is_boolean() && json_bool(*special);
                place(json_int(im.member(t, "id", "added token")), json_string(im.member(t, "content", "added token")),
                      is_special ? TokenType::Control : TokenType::UserDefined, "added_tokens");
            }
        }
        if (tokens.empty()) im.fail("empty vocabulary");
        for (size_t i = 0; i < seen.size(); ++i)
            if (!seen[i])
                im.fail(fmt::format("vocabulary is not contiguous: no token has id {} (of 0..{})", i, seen.size() - 1));

        std::vector<std::string> merges;
        const json& mlist = json_array(im.member(model, "merges", "model"));
        merges.reserve(mlist.size());
        for (const json& m : mlist) {
            if (m.is_string()) {
                merges.push_back(json_string(m));
            } else if (m.is_array() && m.size() == 2) {
                merges.push_back(json_string(m[0]) + " " + json_string(m[1]));
            } else {
                im.fail("model.merges entries must be \"a b\" strings or [a, b] pairs");
            }
        }

        // Special ids: tokenizer_config.json beside the file wins over well-known texts.
        const std::optional<json> cfg = read_config_beside(path);
        auto pick = [&](const char* cfg_key, std::initializer_list<const char*> texts) -> std::optional<int32_t> {
            if (cfg) {
                if (auto text = config_token(*cfg, cfg_key)) {
                    auto id = find_text(tokens, *text);
                    if (!id) im.fail(fmt::format("tokenizer_config.json {} '{}' is not in the vocabulary", cfg_key, *text));
                    return id;
                }
            }
            for (const char* t : texts)
                if (auto id = find_text(tokens, t)) return id;
            return std::nullopt;
        };
        const auto bos = pick("bos_token", {"<|begin_of_text|>", "<s>", "<|endoftext|>"});
        const auto eos = pick("eos_token", {"<|end_of_text|>", "</s>", "<|endoftext|>"});
        const auto eot = find_text(tokens, "<|eot_id|>");

        bool add_bos = pre == "llama-bpe";  // LLaMA 3 models are trained with BOS
        if (bos && post_processor_adds(json_find(root, "post_processor"), tokens[static_cast<size_t>(*bos)]))
            add_bos = true;
        if (cfg)
            if (const json* a = json_find(*cfg, "add_bos_token"); a && a->is_boolean()) add_bos = json_bool(*a);

        out.add("tokenizer.ggml.model", GgufValue::str("gpt2"));
        out.add("tokenizer.ggml.pre", GgufValue::str(pre));
        out.add("tokenizer.ggml.tokens", GgufValue::string_array(std::move(tokens)));
        out.add("tokenizer.ggml.token_type", GgufValue::i32_array(std::move(types)));
        out.add("tokenizer.ggml.merges", GgufValue::string_array(std::move(merges)));
        if (bos) out.add("tokenizer.ggml.bos_token_id", GgufValue::u32(static_cast<uint32_t>(*bos)));
        if (eos) out.add("tokenizer.ggml.eos_token_id", GgufValue::u32(static_cast<uint32_t>(*eos)));
        if (eot) out.add("tokenizer.ggml.eot_token_id", GgufValue::u32(static_cast<uint32_t>(*eot)));
        out.add("tokenizer.ggml.add_bos_token", GgufValue::boolean(add_bos));
    } catch (const JsonError&) {
        throw;
    } catch (const Error& e) {
        // Type errors from the json_* accessors do not know the file; add it once.
        const std::string msg = e.what();
        if (msg.compare(0, path.size(), path) == 0) throw;
        im.fail(msg);
    }
}

}  // namespace tern
