// The default model that ships in resources/models: the engine must compute what the model was
// trained to compute. The reference numbers were computed once in PyTorch by
// resources/models/train/train.py, on the same exported ternary weights, and are stored in the
// model's card (resources/models/tern-default.json); these tests recompute them with the engine.
#include "engine/chat/chat_prompt.h"
#include "engine/chat/chat_template.h"
#include "engine/gguf/gguf_reader.h"
#include "engine/tokenizer/json_file.h"
#include "engine/model/model.h"
#include "engine/chat/perplexity.h"
#include "engine/chat/session.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/engine/test_support.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

using namespace tern;

namespace {

// resources/models of the source tree this test was compiled from.
std::string models_dir() {
    const std::string model = tern_test::builtin_model();
    return model.substr(0, model.size() - std::string("tern-default.gguf").size());
}

std::string model_path() { return tern_test::builtin_model(); }

const nlohmann::json& card() {
    static const nlohmann::json c = parse_json_file(models_dir() + "tern-default.json");
    return c;
}

const nlohmann::json& at(const nlohmann::json& v, const char* key) {
    const nlohmann::json* m = json_find(v, key);
    if (!m) FAIL("the model card has no '" << key << "'");
    return *m;
}

std::vector<int32_t> ids_of(const nlohmann::json& array) {
    std::vector<int32_t> ids;
    for (const nlohmann::json& v : json_array(array)) ids.push_back((int32_t)json_int(v));
    return ids;
}

const Model& model() {
    static const std::unique_ptr<Model> m = Model::load(model_path(), tern_test::threads(2));
    return *m;
}

std::string fnv1a64_hex(const std::string& bytes) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", (unsigned long long)h);
    return buf;
}

}  // namespace

TEST_CASE("the default model is laid out like the official BitNet b1.58 2B4T file", "[default_model]") {
    GgufFile f = GgufFile::open(model_path());
    CHECK(f.version() == 3);
    CHECK(f.alignment() == 32);
    // The official file's 24 keys, in its order (docs: bitnet-formats.md §2.1).
    const std::string a = "bitnet-b1.58.";
    const std::vector<std::string> keys = {
        "general.architecture", "general.name", a + "vocab_size", a + "context_length",
        a + "embedding_length", a + "block_count", a + "feed_forward_length", a + "rope.dimension_count",
        a + "attention.head_count", a + "attention.head_count_kv", "tokenizer.ggml.add_bos_token",
        a + "attention.layer_norm_rms_epsilon", a + "rope.freq_base", "general.file_type",
        "tokenizer.ggml.model", "tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type",
        "tokenizer.ggml.merges", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
        "tokenizer.ggml.padding_token_id", "tokenizer.chat_template", "general.quantization_version"};
    std::vector<std::string> got;
    for (const auto& kv : f.metadata()) got.push_back(kv.first);
    CHECK(got == keys);
    CHECK(f.get_string("general.architecture") == "bitnet-b1.58");
    CHECK(f.get_uint("general.file_type") == 40);
    CHECK(f.get_string("tokenizer.ggml.model") == "gpt2");
    CHECK_FALSE(f.find("tokenizer.ggml.pre"));

    const nlohmann::json& cfg = at(card(), "config");
    const int64_t layers = json_int(at(cfg, "n_layer"));
    REQUIRE(f.tensors().size() == (size_t)(1 + 11 * layers + 1));
    int n_i2s = 0, n_f32 = 0, n_f16 = 0;
    for (const GgufTensorInfo& t : f.tensors()) {
        n_i2s += t.type == GgmlType::I2_S;
        n_f32 += t.type == GgmlType::F32;
        n_f16 += t.type == GgmlType::F16;
    }
    CHECK(n_i2s == 7 * layers);
    CHECK(n_f32 == 4 * layers + 1);
    CHECK(n_f16 == 1);
    CHECK(f.tensors().front().name == "token_embd.weight");
    CHECK(f.tensors().back().name == "output_norm.weight");
    CHECK(f.file_size() == (uint64_t)json_int(at(at(card(), "file"), "bytes")));
    CHECK(f.file_size() < 10u * 1024 * 1024);

    const ModelConfig& c = model().config();
    CHECK(c.n_vocab == json_int(at(card(), "vocab_size")));
    CHECK(c.n_ctx_train == json_int(at(card(), "context_length")));
    CHECK(c.n_embd == json_int(at(cfg, "d")));
    CHECK(c.n_layer == layers);
    CHECK(c.n_ff == json_int(at(cfg, "ff")));
    CHECK(c.n_head == json_int(at(cfg, "n_head")));
    CHECK(c.n_head_kv == json_int(at(cfg, "n_kv_head")));
    CHECK(model().tied_output());
    CHECK(model().chat_format() == ChatFormat::BitNet);
    const Tokenizer& tok = model().tokenizer();
    CHECK(tok.pre_name() == "gpt2");
    CHECK(tok.add_bos());
    CHECK(tok.token_text(tok.bos_id()) == "<|begin_of_text|>");
    CHECK(tok.token_text(tok.eos_id()) == "<|end_of_text|>");
    REQUIRE(tok.find_token("<|eot_id|>"));
    CHECK(tok.is_eog(*tok.find_token("<|eot_id|>")));
}

TEST_CASE("default model: engine perplexity on held-out text is within 1% of PyTorch's", "[default_model]") {
    const nlohmann::json& ref = at(at(card(), "engine_check"), "perplexity");
    const std::string data = tern_test::read_file(tern_test::data_dir() + "/" + json_string(at(ref, "data_file")));
    const int64_t b0 = json_int(at(ref, "byte_begin")), b1 = json_int(at(ref, "byte_end"));
    REQUIRE(b0 >= 0);
    REQUIRE(b1 > b0);
    REQUIRE((size_t)b1 <= data.size());
    const std::string text = data.substr((size_t)b0, (size_t)(b1 - b0));
    REQUIRE(fnv1a64_hex(text) == json_string(at(ref, "fnv1a64")));  // the same held-out text

    const Tokenizer& tok = model().tokenizer();
    const std::vector<int32_t> ids = tok.encode(text, true, false);
    // Same tokens as the training script: our BPE and the script's agree on this text.
    REQUIRE((int64_t)ids.size() == json_int(at(ref, "n_tokens")));
    const std::vector<int32_t> first = ids_of(at(ref, "first_token_ids"));
    CHECK(std::vector<int32_t>(ids.begin(), ids.begin() + first.size()) == first);

    Session session(model());
    const PerplexityResult r = compute_perplexity(session, ids, (int32_t)json_int(at(ref, "window")));
    const double ppl_torch = json_number(at(ref, "perplexity"));
    INFO("engine: mean NLL " << r.mean_nll << ", perplexity " << r.perplexity << "; PyTorch: mean NLL "
                             << json_number(at(ref, "mean_nll")) << ", perplexity " << ppl_torch);
    CHECK(r.n_scored == json_int(at(ref, "tokens_scored")));
    CHECK(std::fabs(r.perplexity - ppl_torch) / ppl_torch < 0.01);
}

TEST_CASE("default model: greedy continuations match PyTorch's", "[default_model]") {
    const nlohmann::json& cases = at(at(card(), "engine_check"), "greedy");
    REQUIRE(cases.size() >= 2);
    int n_plain = 0, n_chat = 0;
    for (const nlohmann::json& c : json_array(cases)) {
        const std::string prompt = json_string(at(c, "prompt"));
        const std::vector<int32_t> want = ids_of(at(c, "greedy_ids"));
        // A case with "chat": "bitnet" is a user message, rendered and tokenised as the chat
        // window does (the model's own chat format); the others are plain text completions.
        const nlohmann::json* chat = json_find(c, "chat");
        INFO("prompt" << (chat ? " (chat)" : "") << ": " << prompt << "; PyTorch: " << json_string(at(c, "text")));
        std::vector<int32_t> ids;
        if (chat) {
            REQUIRE(json_string(*chat) == "bitnet");
            REQUIRE(model().chat_format() == ChatFormat::BitNet);
            ids = build_chat_prompt(model().tokenizer(), model().chat_format(), {{"user", prompt}},
                                    (int32_t)json_int(at(card(), "context_length")), (int32_t)want.size(), false)
                      .tokens;
            ++n_chat;
        } else {
            ids = model().tokenizer().encode(prompt, true, false);
            ++n_plain;
        }
        REQUIRE(ids == ids_of(at(c, "prompt_ids")));
        REQUIRE(!want.empty());

        Session session(model());
        GenerateParams p;
        p.max_tokens = (int)want.size();
        p.sampling.temperature = 0;
        p.sampling.repeat_penalty = 1.0f;
        const GenerateResult r = session.generate(ids, p);
        INFO("engine: " << r.text);
        CHECK(r.tokens == want);
    }
    CHECK(n_plain >= 2);
    CHECK(n_chat >= 1);  // the default model must answer in the chat window
}
