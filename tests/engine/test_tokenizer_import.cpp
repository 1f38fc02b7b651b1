// Hugging Face tokenizer.json -> GGUF tokenizer keys.
#include "engine/error.h"
#include "engine/gguf/gguf_reader.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/tokenizer/hf_tokenizer_import.h"
#include "engine/tokenizer/tokenizer_bpe.h"
#include "engine/tokenizer/unicode.h"
#include "tests/engine/test_support.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <system_error>

using namespace tern;

namespace {

const GgufValue* find_key(const GgufWriter& w, const std::string& key) {
    for (const auto& kv : w.metadata())
        if (kv.first == key) return &kv.second;
    return nullptr;
}

std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// A scratch folder for one test's files, emptied and removed when the test ends.
struct ScratchDir {
    std::string path;
    explicit ScratchDir(const std::string& name) : path(tern_test::work_dir() + "/" + name) {
        clean();
        std::error_code ec;  // std::filesystem, not POSIX mkdir/rmdir: the tests run on Windows too
        std::filesystem::create_directory(path, ec);
    }
    ~ScratchDir() {
        clean();
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
    void clean() const {
        for (const char* f : {"tokenizer.json", "tokenizer_config.json", "tokenizer.json.gguf"})
            std::remove((path + "/" + f).c_str());
    }
};

void write_text(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

struct TinyOptions {
    bool pair_merges = true;
    bool gap = false;             // leave id 100 out of the vocabulary
    std::string pre_tokenizer =
        R"({"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true})";
    std::string model_type = "BPE";
};

// A GPT-2-style tokenizer.json: the 256 byte characters (ids 0..255 in byte order), four merges
// building "hello", and two added tokens.
std::string tiny_tokenizer_json(const TinyOptions& o) {
    std::string vocab;
    for (int b = 0; b < 256; ++b) {
        if (o.gap && b == 100) continue;
        std::string ch;
        utf8_append(ch, gpt2_byte_to_codepoint(static_cast<uint8_t>(b)));
        vocab += quote(ch) + ": " + std::to_string(b) + ", ";
    }
    vocab += R"("he": 256, "ll": 257, "hell": 258, "hello": 259, "<|endoftext|>": 260)";
    const std::string merges = o.pair_merges ? R"([["h", "e"], ["l", "l"], ["he", "ll"], ["hell", "o"]])"
                                             : R"(["h e", "l l", "he ll", "hell o"])";
    return R"({"version": "1.0", "added_tokens": [
        {"id": 260, "content": "<|endoftext|>", "special": true},
        {"id": 261, "content": "<tool>", "special": false}],
      "normalizer": null, "pre_tokenizer": )" + o.pre_tokenizer + R"(,
      "model": {"type": ")" + o.model_type + R"(", "vocab": {)" + vocab + R"(}, "merges": )" + merges + "}}";
}

std::unique_ptr<Tokenizer> import_and_load(const std::string& json_path, GgufWriter& w) {
    import_hf_tokenizer(json_path, w);
    const std::string gguf = json_path + ".gguf";
    w.write(gguf);
    const GgufFile f = GgufFile::open(gguf);
    return Tokenizer::from_gguf(f);
}

std::string import_error(const std::string& json) {
    const ScratchDir d("hf-import-bad");
    const std::string& dir = d.path;
    write_text(dir + "/tokenizer.json", json);
    GgufWriter w;
    try {
        import_hf_tokenizer(dir + "/tokenizer.json", w);
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("import the LLaMA 3 tokenizer.json", "[tokenizer]") {
    GgufWriter w;
    import_hf_tokenizer(tern_test::data_dir() + "/tokenizer/llama3-tokenizer.json", w);
    REQUIRE(find_key(w, "tokenizer.ggml.model"));
    CHECK(find_key(w, "tokenizer.ggml.model")->as_string() == "gpt2");
    CHECK(find_key(w, "tokenizer.ggml.pre")->as_string() == "llama-bpe");
    const GgufValue* tokens = find_key(w, "tokenizer.ggml.tokens");
    REQUIRE(tokens);
    CHECK(tokens->array_size() == 128256);
    CHECK(tokens->string_at(128009) == "<|eot_id|>");
    CHECK(tokens->string_at(9906) == "Hello");
    const GgufValue* types = find_key(w, "tokenizer.ggml.token_type");
    CHECK(types->int_at(9906) == 1);
    CHECK(types->int_at(128000) == 3);
    CHECK(types->int_at(128255) == 3);
    CHECK(find_key(w, "tokenizer.ggml.merges")->array_size() == 280147);
    CHECK(find_key(w, "tokenizer.ggml.merges")->string_at(0) == "Ġ Ġ");
    // From llama3-tokenizer_config.json beside the file.
    CHECK(find_key(w, "tokenizer.ggml.bos_token_id")->as_int() == 128000);
    CHECK(find_key(w, "tokenizer.ggml.eos_token_id")->as_int() == 128001);
    CHECK(find_key(w, "tokenizer.ggml.eot_token_id")->as_int() == 128009);
    CHECK(find_key(w, "tokenizer.ggml.add_bos_token")->as_bool());
}

TEST_CASE("import a small byte-level BPE tokenizer.json", "[tokenizer]") {
    for (bool pairs : {true, false}) {
        INFO("merges as " << (pairs ? "pairs" : "strings"));
        const ScratchDir d("hf-import-tiny");
        const std::string& dir = d.path;
        TinyOptions o;
        o.pair_merges = pairs;
        write_text(dir + "/tokenizer.json", tiny_tokenizer_json(o));
        GgufWriter w;
        auto tok = import_and_load(dir + "/tokenizer.json", w);
        CHECK(tok->n_vocab() == 262);
        CHECK(tok->pre_name() == "gpt2");
        CHECK_FALSE(tok->add_bos());
        CHECK(tok->bos_id() == 260);  // <|endoftext|> for both, as GPT-2 does
        CHECK(tok->eos_id() == 260);
        CHECK(tok->token_type(260) == TokenType::Control);
        CHECK(tok->token_type(261) == TokenType::UserDefined);
        CHECK(tok->token_type(259) == TokenType::Normal);
        CHECK(tok->encode("hello", false, false) == std::vector<int32_t>{259});
        CHECK(tok->encode("hell", false, false) == std::vector<int32_t>{258});
        // Non-special added tokens are always recognised; special ones only with parse_special.
        CHECK(tok->encode("<tool>hello", false, false) == std::vector<int32_t>{261, 259});
        CHECK(tok->encode("<|endoftext|>", false, true) == std::vector<int32_t>{260});
        CHECK(tok->encode("<|endoftext|>", false, false).size() > 1);
        CHECK(tok->decode(tok->encode("say <tool> hello\n", false, false)) == "say <tool> hello\n");
    }
}

TEST_CASE("import prefers bos/eos from tokenizer_config.json", "[tokenizer]") {
    const ScratchDir d("hf-import-config");
    const std::string& dir = d.path;
    write_text(dir + "/tokenizer.json", tiny_tokenizer_json({}));
    write_text(dir + "/tokenizer_config.json",
               R"({"bos_token": {"content": "<tool>", "special": true}, "eos_token": "<|endoftext|>",
                   "add_bos_token": true})");
    GgufWriter w;
    auto tok = import_and_load(dir + "/tokenizer.json", w);
    CHECK(tok->bos_id() == 261);
    CHECK(tok->eos_id() == 260);
    CHECK(tok->add_bos());
    CHECK(tok->encode("hello", true, false) == std::vector<int32_t>{261, 259});
}

TEST_CASE("import recognises the LLaMA 3 split", "[tokenizer]") {
    const ScratchDir d("hf-import-split");
    const std::string& dir = d.path;
    TinyOptions o;
    o.pre_tokenizer = R"({"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
         "behavior": "Isolated", "invert": false},
        {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]})";
    write_text(dir + "/tokenizer.json", tiny_tokenizer_json(o));
    GgufWriter w;
    auto tok = import_and_load(dir + "/tokenizer.json", w);
    CHECK(find_key(w, "tokenizer.ggml.pre")->as_string() == "llama-bpe");
    CHECK(tok->pre_name() == "llama3");
    CHECK(tok->add_bos());
}

TEST_CASE("import rejects what it cannot represent", "[tokenizer]") {
    auto has = [](const std::string& msg, const std::string& part) {
        INFO(msg);
        CHECK(msg.find(part) != std::string::npos);
    };
    TinyOptions gap;
    gap.gap = true;
    has(import_error(tiny_tokenizer_json(gap)), "not contiguous: no token has id 100");
    TinyOptions split;
    split.pre_tokenizer = R"({"type": "Split", "pattern": {"Regex": "\\w+"}, "behavior": "Isolated"})";
    has(import_error(tiny_tokenizer_json(split)), "is not supported");
    TinyOptions unigram;
    unigram.model_type = "Unigram";
    has(import_error(tiny_tokenizer_json(unigram)), "model type Unigram is not supported");
    has(import_error(R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 0}, "merges": []},
                        "pre_tokenizer": {"type": "ByteLevel"}})"),
        "id 0 is used by both");
    has(import_error("{\"model\": [1, 2"), "JSON error at offset");
    has(import_error("[]"), "not a JSON object");
}

TEST_CASE("import rejects ids beyond the entries present before allocating for them", "[tokenizer]") {
    // The issue's 161-byte file held 3.5 GB for 10 s (id 100,000,000) or died with a bare
    // std::bad_alloc (id 2,147,483,000): the importer sized its tables by the largest id.
    for (const char* id : {"100000000", "2147483000"}) {
        INFO("id " << id);
        const std::string json = std::string(R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": )") + id +
                                 R"(}, "merges": []}, "pre_tokenizer": {"type": "ByteLevel"}, "added_tokens": []})";
        const std::string msg = import_error(json);
        INFO(msg);
        CHECK_THAT(msg, Catch::Contains(std::string("model.vocab id ") + id + " is out of range") &&
                            Catch::Contains("the file has 2 entries"));
    }
    // Added tokens count as entries, and their ids are checked the same way.
    const std::string added = R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []},
        "pre_tokenizer": {"type": "ByteLevel"},
        "added_tokens": [{"id": 1, "content": "<s>", "special": true}, {"id": 99999999, "content": "</s>"}]})";
    CHECK_THAT(import_error(added), Catch::Contains("added_tokens id 99999999 is out of range"));
    CHECK_THAT(import_error(R"({"model": {"type": "BPE", "vocab": {"a": -1}, "merges": []},
                                "pre_tokenizer": {"type": "ByteLevel"}})"),
               Catch::Contains("id -1 is out of range"));
}
