// Generation only ever produces and consumes ids the tokenizer knows: padded embeddings (more
// rows than tokens) never yield a padding id, and an empty prompt never becomes id -1.
#include "engine/chat/chat_prompt.h"
#include "engine/error.h"
#include "engine/gguf/gguf_reader.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/model/model.h"
#include "engine/chat/session.h"
#include "engine/tokenizer/tokenizer.h"
#include "kernels/fp16.h"
#include "tests/engine/test_support.h"

#include <catch2/catch.hpp>

#include <cstring>

using namespace tern;

namespace {

constexpr int64_t kPadding = 2;

// The tiny model (tied F16 embedding, 259 tokens) with its embedding padded to 261 rows, crafted
// so that a padding id always has the largest logit: output_norm keeps only dimension 0 of the
// final hidden state, and the two padding rows hold +100 and -100 there while real rows hold
// ~0.05. Whatever the sign of that dimension, a padding row wins by a factor of ~1000.
std::string padded_vocab_model() {
    const GgufFile f = GgufFile::open(tern_test::tiny_model());
    GgufWriter w;
    for (const auto& kv : f.metadata()) w.add(kv.first, kv.second);
    for (const GgufTensorInfo& t : f.tensors()) {
        if (t.name == "token_embd.weight") {
            REQUIRE(t.type == GgmlType::F16);
            const int64_t n_embd = t.ne[0], rows = t.ne[1];
            const uint8_t* src = f.tensor_data(t);
            const uint64_t nbytes = t.nbytes;
            w.add_tensor(t.name, t.type, {n_embd, rows + kPadding}, [=](uint8_t* dst, uint64_t) {
                std::memcpy(dst, src, nbytes);
                uint16_t* pad = reinterpret_cast<uint16_t*>(dst + nbytes);  // zeroed by the writer
                pad[0] = kernels::f32_to_fp16(100.0f);
                pad[n_embd] = kernels::f32_to_fp16(-100.0f);
            });
        } else if (t.name == "output_norm.weight") {
            std::vector<float> only_first((size_t)t.ne[0], 0.0f);
            only_first[0] = 1.0f;
            w.add_tensor(t.name, GgmlType::F32, t.ne, only_first.data(), only_first.size() * sizeof(float));
        } else {
            w.add_tensor(t.name, t.type, t.ne, f.tensor_data(t), t.nbytes);
        }
    }
    const std::string path = tern_test::work_dir() + "/padded-vocab.gguf";
    w.write(path);
    return path;
}

// The tiny model's vocabulary without a beginning-of-text token: no bos_token_id key, and the
// token whose text would be recognised as BOS renamed.
std::string no_bos_model() {
    const GgufFile f = GgufFile::open(tern_test::tiny_model());
    GgufWriter w;
    for (const auto& kv : f.metadata()) {
        if (kv.first == "tokenizer.ggml.bos_token_id") continue;
        if (kv.first == "tokenizer.ggml.tokens") {
            std::vector<std::string> tokens = kv.second.as_string_array();
            for (std::string& t : tokens)
                if (t == "<|begin_of_text|>") t = "<|not_a_bos|>";
            w.add(kv.first, GgufValue::string_array(std::move(tokens)));
        } else {
            w.add(kv.first, kv.second);
        }
    }
    for (const GgufTensorInfo& t : f.tensors()) w.add_tensor(t.name, t.type, t.ne, f.tensor_data(t), t.nbytes);
    const std::string path = tern_test::work_dir() + "/no-bos.gguf";
    w.write(path);
    return path;
}

}  // namespace

TEST_CASE("generation never samples an embedding row the tokenizer cannot decode", "[session]") {
    auto model = Model::load(padded_vocab_model(), tern_test::threads(2));
    const int32_t n_tokens = model->tokenizer().n_vocab();
    REQUIRE(model->config().n_vocab == n_tokens + kPadding);

    Session s(*model);
    const std::vector<int32_t> prompt = model->tokenizer().encode("Once upon a time", true, false);
    // The crafted weights do what they claim: a padding id has the largest logit.
    s.prefill(prompt);
    const std::vector<float>& logits = s.last_logits();
    const auto best = std::max_element(logits.begin(), logits.end()) - logits.begin();
    CHECK(best >= n_tokens);

    for (float temperature : {0.0f, 0.8f}) {
        INFO("temperature " << temperature);
        GenerateParams p;
        p.max_tokens = 8;
        p.sampling.temperature = temperature;
        p.sampling.seed = 3;
        const GenerateResult r = s.generate(prompt, p);
        CHECK(!r.tokens.empty());
        for (int32_t id : r.tokens) CHECK((id >= 0 && id < n_tokens));
    }
}

TEST_CASE("a completion prompt starts from BOS, or fails clearly without one", "[session]") {
    auto with_bos = Model::load(tern_test::tiny_model(), tern_test::threads(1));
    const Tokenizer& tok = with_bos->tokenizer();
    REQUIRE(tok.bos_id() >= 0);
    CHECK(build_completion_prompt(tok, "") == std::vector<int32_t>{tok.bos_id()});
    CHECK(build_completion_prompt(tok, "Once") == tok.encode("Once", tok.add_bos(), false));

    auto no_bos = Model::load(no_bos_model(), tern_test::threads(1));
    const Tokenizer& plain = no_bos->tokenizer();
    REQUIRE(plain.bos_id() == -1);
    CHECK_THROWS_WITH(build_completion_prompt(plain, ""), Catch::Contains("the prompt is empty") &&
                                                              Catch::Contains("no beginning-of-text token"));
    const std::vector<int32_t> ids = build_completion_prompt(plain, "Once");
    CHECK(!ids.empty());
    for (int32_t id : ids) CHECK(id >= 0);
    // Generating from it works.
    Session s(*no_bos);
    GenerateParams p;
    p.max_tokens = 4;
    p.sampling.temperature = 0;
    CHECK(s.generate(ids, p).tokens.size() > 0);
}
