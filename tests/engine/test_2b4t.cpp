// The synthetic file with the official BitNet b1.58 2B4T layout (written by the ctest fixture
// with `tern-convert synthetic --shape 2b4t --type i2_s --vocab llama3-vocab.gguf`) loads
// through the official path and generates.
#include "engine/gguf/gguf_reader.h"
#include "engine/model/model.h"
#include "engine/chat/session.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/engine/test_support.h"

#include <catch2/catch.hpp>

#include <map>

using namespace tern;

namespace {
std::string path_2b4t() { return tern_test::work_dir() + "/synthetic-2b4t-i2_s.gguf"; }
}  // namespace

TEST_CASE("the 2B4T-layout file has the official keys, tensors, types and shapes", "[2b4t]") {
    GgufFile f = GgufFile::open(path_2b4t());
    // bitnet-formats.md §2.1: these 24 keys, in this order, and no others.
    const std::vector<std::string> keys = {
        "general.architecture", "general.name", "bitnet-b1.58.vocab_size", "bitnet-b1.58.context_length",
        "bitnet-b1.58.embedding_length", "bitnet-b1.58.block_count", "bitnet-b1.58.feed_forward_length",
        "bitnet-b1.58.rope.dimension_count", "bitnet-b1.58.attention.head_count",
        "bitnet-b1.58.attention.head_count_kv", "tokenizer.ggml.add_bos_token",
        "bitnet-b1.58.attention.layer_norm_rms_epsilon", "bitnet-b1.58.rope.freq_base", "general.file_type",
        "tokenizer.ggml.model", "tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type",
        "tokenizer.ggml.merges", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
        "tokenizer.ggml.padding_token_id", "tokenizer.chat_template", "general.quantization_version"};
    std::vector<std::string> got;
    for (const auto& kv : f.metadata()) got.push_back(kv.first);
    CHECK(got == keys);
    CHECK(f.get_uint("general.file_type") == 40);
    CHECK(f.get_array("tokenizer.ggml.tokens").array_size() == 128256);
    CHECK(f.get_array("tokenizer.ggml.merges").array_size() == 280147);

    std::map<GgmlType, int> types;
    for (const GgufTensorInfo& t : f.tensors()) ++types[t.type];
    CHECK(f.tensors().size() == 332);
    CHECK(types[GgmlType::I2_S] == 210);
    CHECK(types[GgmlType::F32] == 121);
    CHECK(types[GgmlType::F16] == 1);
    const GgufTensorInfo* embd = f.find_tensor("token_embd.weight");
    REQUIRE(embd);
    CHECK(embd->nbytes == 656670720);
    const GgufTensorInfo* gate = f.find_tensor("blk.29.ffn_gate.weight");
    REQUIRE(gate);
    CHECK(gate->ne == std::vector<int64_t>{2560, 6912});
    CHECK(gate->nbytes == 4423712);
    CHECK(f.find_tensor("output.weight") == nullptr);
}

TEST_CASE("the 2B4T-layout file loads and generates", "[2b4t]") {
    auto model = Model::load(path_2b4t(), tern_test::threads(2));
    const ModelConfig& c = model->config();
    CHECK(c.n_layer == 30);
    CHECK(c.n_head == 20);
    CHECK(c.n_head_kv == 5);
    CHECK(c.n_ff == 6912);
    CHECK(c.n_vocab == 128256);
    CHECK(model->tied_output());
    CHECK(model->chat_format() == ChatFormat::BitNet);
    const Tokenizer& tok = model->tokenizer();
    CHECK(tok.pre_name() == "llama3");  // no tokenizer.ggml.pre + 128,256 tokens -> LLaMA 3 rule
    CHECK(tok.encode("Hello world", false, false) == std::vector<int32_t>{9906, 1917});
    CHECK(tok.is_eog(128009));

    SessionOptions so;
    so.n_ctx = 64;
    Session session(*model, so);
    GenerateParams p;
    p.max_tokens = 3;
    p.sampling.temperature = 0;
    GenerateResult r = session.generate(tok.encode("Hello", true, false), p);
    CHECK(r.tokens.size() == 3);
    CHECK(r.reason == StopReason::MaxTokens);
}
