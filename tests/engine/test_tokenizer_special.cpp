// Special tokens, BOS, end-of-generation ids, pre-tokenizer choice and load errors.
#include "engine/error.h"
#include "engine/gguf/gguf_reader.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/tokenizer/tokenizer_bpe.h"
#include "tests/engine/test_support.h"
#include "tests/engine/test_tokenizer_fixtures.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>

using namespace tern;

namespace {

// Removes a scratch file however the test leaves the scope.
struct ScratchFile {
    std::string path;
    ~ScratchFile() { std::remove(path.c_str()); }
};

std::unique_ptr<Tokenizer> write_and_load(const GgufWriter& w, const std::string& name) {
    const ScratchFile file{tern_test::work_dir() + "/" + name};
    w.write(file.path);
    const GgufFile f = GgufFile::open(file.path);
    return Tokenizer::from_gguf(f);
}

// Copies the tokenizer keys of `src` into a new vocabulary-only GGUF, letting `edit` change
// them, and loads it.
std::unique_ptr<Tokenizer> load_edited(const GgufFile& src, const std::string& name,
                                       const std::function<void(GgufWriter&)>& edit) {
    GgufWriter w;
    for (const auto& kv : src.metadata()) w.add(kv.first, kv.second);
    edit(w);
    return write_and_load(w, name);
}

// A copy of `src` without `key` (GgufWriter has no remove, so rebuild the list).
std::unique_ptr<Tokenizer> load_without(const GgufFile& src, const std::string& name, const std::string& key) {
    GgufWriter w;
    for (const auto& kv : src.metadata())
        if (kv.first != key) w.add(kv.first, kv.second);
    return write_and_load(w, name);
}

bool contains(const std::vector<int32_t>& v, int32_t id) { return std::find(v.begin(), v.end(), id) != v.end(); }

}  // namespace

TEST_CASE("special tokens are parsed only with parse_special", "[tokenizer]") {
    const Tokenizer& tok = tern_test::llama3_tokenizer();
    CHECK(tok.encode("<|eot_id|>", false, true) == std::vector<int32_t>{128009});
    const std::vector<int32_t> plain = tok.encode("<|eot_id|>", false, false);
    CHECK(plain.size() > 1);
    CHECK_FALSE(contains(plain, 128009));
    CHECK(tok.decode(plain) == "<|eot_id|>");

    const std::vector<int32_t> mixed = tok.encode("Hi<|eot_id|><|start_header_id|>user", false, true);
    REQUIRE(mixed.size() == 4);
    CHECK(mixed[1] == 128009);
    CHECK(mixed[2] == 128006);
    CHECK(tok.decode(mixed) == "Hi<|eot_id|><|start_header_id|>user");
    CHECK(tok.decode(mixed, /*skip_special=*/true) == "Hiuser");
    CHECK(tok.is_special(128009));
    CHECK_FALSE(tok.is_special(9906));
}

TEST_CASE("BOS follows add_bos_token", "[tokenizer]") {
    const Tokenizer& l3 = tern_test::llama3_tokenizer();
    CHECK(l3.add_bos());
    CHECK(l3.bos_id() == 128000);
    CHECK(l3.encode("Hello", true, false) == std::vector<int32_t>{128000, 9906});
    CHECK(l3.encode("Hello", false, false) == std::vector<int32_t>{9906});
    CHECK(l3.encode("", true, false) == std::vector<int32_t>{128000});

    const Tokenizer& g2 = tern_test::gpt2_tokenizer();  // no add_bos_token key: GPT-2 adds none
    CHECK_FALSE(g2.add_bos());
    CHECK(g2.encode("Hello", true, false) == std::vector<int32_t>{15496});

    const Tokenizer& spm = tern_test::spm_tokenizer();  // add_bos_token = true
    CHECK(spm.add_bos());
    CHECK(spm.encode("Hello", true, false) == std::vector<int32_t>{1, 15043});
    CHECK(spm.decode({1, 15043}, true) == "Hello");
    CHECK(spm.decode({1, 15043}) == "<s>Hello");

    auto no_bos = load_edited(tern_test::llama3_gguf(), "tok-no-bos.gguf", [](GgufWriter& w) {
        w.add("tokenizer.ggml.add_bos_token", GgufValue::boolean(false));
    });
    CHECK(no_bos->encode("Hello", true, false) == std::vector<int32_t>{9906});
}

TEST_CASE("end-of-generation ids", "[tokenizer]") {
    const Tokenizer& l3 = tern_test::llama3_tokenizer();
    CHECK(l3.eos_id() == 128001);
    CHECK(l3.is_eog(128001));
    CHECK(l3.is_eog(128009));
    CHECK_FALSE(l3.is_eog(128000));
    CHECK_FALSE(l3.is_eog(-1));
    CHECK(contains(l3.eog_ids(), 128009));
    CHECK(l3.token_text(128009) == "<|eot_id|>");
    CHECK(l3.find_token("<|eot_id|>") == 128009);
    CHECK_FALSE(l3.find_token("no such token").has_value());
    CHECK(tern_test::gpt2_tokenizer().is_eog(50256));
    CHECK(tern_test::spm_tokenizer().is_eog(2));
    CHECK_THROWS_AS(l3.token_text(128256), Error);
    CHECK_THROWS_AS(l3.decode({5, -3}), Error);
}

TEST_CASE("pre-tokenizer choice follows tokenizer.ggml.pre and the vocabulary size", "[tokenizer]") {
    const GgufFile& l3 = tern_test::llama3_gguf();
    // The official BitNet b1.58 2B4T GGUF has no pre key: 128,256 tokens mean LLaMA 3.
    auto no_pre = load_without(l3, "tok-no-pre.gguf", "tokenizer.ggml.pre");
    CHECK(no_pre->pre_name() == "llama3");
    CHECK(no_pre->add_bos());
    CHECK(no_pre->encode(" 3333 Hello", false, false) == tern_test::llama3_tokenizer().encode(" 3333 Hello", false, false));

    auto unknown = load_edited(l3, "tok-unknown-pre.gguf", [](GgufWriter& w) {
        w.add("tokenizer.ggml.pre", GgufValue::str("some-future-model"));
    });
    CHECK(unknown->pre_name() == "gpt2");
    CHECK_FALSE(unknown->encode("Hello world 12345", false, false).empty());

    const GgufFile g2 = GgufFile::open(tern_test::data_dir() + "/tokenizer/gpt-2.gguf");
    auto g2_no_pre = load_without(g2, "tok-gpt2-no-pre.gguf", "tokenizer.ggml.pre");
    CHECK(g2_no_pre->pre_name() == "gpt2");
    CHECK(g2_no_pre->encode(" 3333 Hello", false, false) == tern_test::gpt2_tokenizer().encode(" 3333 Hello", false, false));
}

TEST_CASE("tokenizer load errors name the key", "[tokenizer]") {
    const GgufFile g2 = GgufFile::open(tern_test::data_dir() + "/tokenizer/gpt-2.gguf");
    auto expect_error = [&](const char* name, const std::function<void(GgufWriter&)>& edit, const std::string& key) {
        try {
            load_edited(g2, name, edit);
            FAIL("expected an error mentioning " << key);
        } catch (const Error& e) {
            INFO(e.what());
            CHECK(std::string(e.what()).find(key) != std::string::npos);
        }
    };
    expect_error("tok-bad-model.gguf", [](GgufWriter& w) { w.add("tokenizer.ggml.model", GgufValue::str("bert")); },
                 "tokenizer.ggml.model");
    expect_error("tok-bad-bos.gguf", [](GgufWriter& w) { w.add("tokenizer.ggml.bos_token_id", GgufValue::u32(999999)); },
                 "tokenizer.ggml.bos_token_id");
    expect_error("tok-bad-types.gguf", [](GgufWriter& w) { w.add("tokenizer.ggml.token_type", GgufValue::i32_array({1, 2})); },
                 "tokenizer.ggml.token_type");
    expect_error("tok-bad-merge.gguf", [](GgufWriter& w) { w.add("tokenizer.ggml.merges", GgufValue::string_array({"nospace"})); },
                 "tokenizer.ggml.merges");
    expect_error("tok-empty.gguf", [](GgufWriter& w) { w.add("tokenizer.ggml.tokens", GgufValue::string_array({})); },
                 "tokenizer.ggml.tokens");
    try {
        load_without(g2, "tok-no-merges.gguf", "tokenizer.ggml.merges");
        FAIL("expected an error about missing merges");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("tokenizer.ggml.merges") != std::string::npos);
    }
}

TEST_CASE("GPT-2 byte alphabet is a bijection", "[tokenizer]") {
    for (int b = 0; b < 256; ++b) CHECK(gpt2_codepoint_to_byte(gpt2_byte_to_codepoint(static_cast<uint8_t>(b))) == b);
    CHECK(gpt2_byte_to_codepoint(' ') == 0x120);  // 'Ġ'
    CHECK(gpt2_byte_to_codepoint('\n') == 0x10A);  // 'Ċ'
    CHECK(gpt2_byte_to_codepoint('A') == 'A');
    CHECK(gpt2_codepoint_to_byte(0x4E2D) == -1);
}
