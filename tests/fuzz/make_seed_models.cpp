// Writes the GGUF seeds of fuzz_gguf_model (tests/fuzz/corpus/fuzz_gguf_model/) with the
// engine's own writer. The synthetic models of tern-convert are 450-580 KB, and a fuzzer mutates
// and re-loads every byte of its inputs, so these are the smallest models that still load and
// generate: one layer, tiny dimensions, one file per weight type and architecture, plus a
// metadata-only file with every value type for the reader. Run again after a format change:
//   build-fuzz/tests/fuzz/make_seed_models tests/fuzz/corpus/fuzz_gguf_model
#include "engine/gguf/gguf_writer.h"
#include "engine/tokenizer/tokenizer_bpe.h"
#include "engine/tokenizer/unicode.h"
#include "kernels/fp16.h"
#include "kernels/ternary_formats.h"

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

using namespace tern;

namespace {

struct Micro {
    std::string arch;  // general.architecture
    GgmlType type;     // linear layers: F16 or a ternary type
    int64_t n_embd, n_ff, n_head, n_head_kv;
    bool byte_vocab;   // byte-level BPE (gpt2, 256 bytes + 3 specials) or a 16-piece SentencePiece
};

// Deterministic small values: a seed must be byte-identical when regenerated.
float value(uint64_t i) { return (float)((i * 2654435761u) % 201) / 1000.0f - 0.1f; }

void add_vocab(GgufWriter& w, bool byte_vocab) {
    std::vector<std::string> tokens;
    std::vector<int32_t> types;
    if (byte_vocab) {
        for (int b = 0; b < 256; ++b) {
            std::string t;
            utf8_append(t, gpt2_byte_to_codepoint((uint8_t)b));
            tokens.push_back(t);
            types.push_back(1);
        }
        tokens.push_back("on");  // one merge, so the merge table is not empty
        types.push_back(1);
        for (const char* s : {"<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"}) {
            tokens.push_back(s);
            types.push_back(3);
        }
        w.add("tokenizer.ggml.model", GgufValue::str("gpt2"));
        w.add("tokenizer.ggml.merges", GgufValue::string_array({"o n"}));
    } else {
        tokens = {"<unk>", "<s>", "</s>", "\xE2\x96\x81", "o", "n", "c", "e", "u", "p", "t", "i", "m", "a",
                  "\xE2\x96\x81on", "ce"};
        types = {2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        w.add("tokenizer.ggml.model", GgufValue::str("llama"));
        w.add("tokenizer.ggml.unknown_token_id", GgufValue::u32(0));
    }
    const uint32_t bos = byte_vocab ? 257 : 1;
    w.add("tokenizer.ggml.tokens", GgufValue::string_array(tokens));
    w.add("tokenizer.ggml.token_type", GgufValue::i32_array(types));
    std::vector<float> scores(tokens.size());
    for (size_t i = 0; i < scores.size(); ++i) scores[i] = -(float)i;
    w.add("tokenizer.ggml.scores", GgufValue::f32_array(scores));
    w.add("tokenizer.ggml.bos_token_id", GgufValue::u32(bos));
    w.add("tokenizer.ggml.eos_token_id", GgufValue::u32(bos + 1));
    w.add("tokenizer.ggml.add_bos_token", GgufValue::boolean(true));
}

void write_model(const Micro& m, const std::string& path) {
    GgufWriter w;
    const std::string& a = m.arch;
    w.add("general.architecture", GgufValue::str(a));
    w.add(a + ".context_length", GgufValue::u32(64));
    w.add(a + ".embedding_length", GgufValue::u32((uint32_t)m.n_embd));
    w.add(a + ".block_count", GgufValue::u32(1));
    w.add(a + ".feed_forward_length", GgufValue::u32((uint32_t)m.n_ff));
    w.add(a + ".attention.head_count", GgufValue::u32((uint32_t)m.n_head));
    w.add(a + ".attention.head_count_kv", GgufValue::u32((uint32_t)m.n_head_kv));
    w.add(a + ".attention.layer_norm_rms_epsilon", GgufValue::f32(1e-5f));
    w.add(a + ".rope.freq_base", GgufValue::f32(10000.0f));
    add_vocab(w, m.byte_vocab);
    const int64_t n_vocab = m.byte_vocab ? 260 : 16;
    w.add(a + ".vocab_size", GgufValue::u32((uint32_t)n_vocab));

    auto f16 = [&](const std::string& name, int64_t in, int64_t out) {
        w.add_tensor(name, GgmlType::F16, {in, out}, [=](uint8_t* dst, uint64_t) {
            uint16_t* p = reinterpret_cast<uint16_t*>(dst);
            for (int64_t i = 0; i < in * out; ++i) p[i] = kernels::f32_to_fp16(value(i));
        });
    };
    auto norm = [&](const std::string& name, int64_t n) {
        w.add_tensor(name, GgmlType::F32, {n}, [=](uint8_t* dst, uint64_t) {
            float* p = reinterpret_cast<float*>(dst);
            for (int64_t i = 0; i < n; ++i) p[i] = 1.0f + value(i);
        });
    };
    auto linear = [&](const std::string& name, int64_t in, int64_t out) {
        if (m.type == GgmlType::F16) return f16(name, in, out);
        const GgmlType type = m.type;
        w.add_tensor(name, type, {in, out}, [=](uint8_t* dst, uint64_t) {
            std::vector<int8_t> t(in * out);
            for (int64_t i = 0; i < in * out; ++i) t[i] = (int8_t)((i * 7 + i / 5) % 3) - 1;
            const float scale = 0.25f;
            if (type == GgmlType::I2_S) kernels::i2s_pack(t.data(), in * out, scale, dst);
            else if (type == GgmlType::TQ2_0) kernels::tq2_0_pack(t.data(), in * out, scale, dst);
            else kernels::tq1_0_pack(t.data(), in * out, scale, dst);
        });
    };
    const int64_t E = m.n_embd, F = m.n_ff, KV = E / m.n_head * m.n_head_kv;
    const bool sub_norms = m.arch == "bitnet-b1.58" || m.arch == "bitnet";
    f16("token_embd.weight", E, n_vocab);
    norm("blk.0.attn_norm.weight", E);
    linear("blk.0.attn_q.weight", E, E);
    linear("blk.0.attn_k.weight", E, KV);
    linear("blk.0.attn_v.weight", E, KV);
    if (sub_norms) norm("blk.0.attn_sub_norm.weight", E);
    linear("blk.0.attn_output.weight", E, E);
    norm("blk.0.ffn_norm.weight", E);
    linear("blk.0.ffn_gate.weight", E, F);
    linear("blk.0.ffn_up.weight", E, F);
    if (sub_norms) norm("blk.0.ffn_sub_norm.weight", F);
    linear("blk.0.ffn_down.weight", F, E);
    norm("output_norm.weight", E);
    w.write(path);
}

// No tensors; every metadata value type, nested arrays included, for the reader's parser.
void write_metadata_only(const std::string& path) {
    GgufWriter w;
    w.add("general.architecture", GgufValue::str("llama"));
    w.add("t.u8", GgufValue::u8(200));
    w.add("t.i8", GgufValue::i8(-5));
    w.add("t.u16", GgufValue::u16(60000));
    w.add("t.i16", GgufValue::i16(-300));
    w.add("t.u32", GgufValue::u32(4000000000u));
    w.add("t.i32", GgufValue::i32(-70000));
    w.add("t.u64", GgufValue::u64(1ull << 40));
    w.add("t.i64", GgufValue::i64(-(1ll << 40)));
    w.add("t.f32", GgufValue::f32(0.5f));
    w.add("t.f64", GgufValue::f64(-2.25));
    w.add("t.bool", GgufValue::boolean(true));
    w.add("t.str", GgufValue::str("h\xC3\xA9llo"));
    w.add("t.strs", GgufValue::string_array({"a", "", "\xE4\xB8\xAD"}));
    w.add("t.nested", GgufValue::array(GgufValueType::ARRAY, {GgufValue::i32_array({1, 2}), GgufValue::string_array({"x"})}));
    w.write(path, 2);  // v2: the older header layout
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_seed_models OUT_DIR\n");
        return 2;
    }
    const std::string dir = argv[1];
    try {
        write_model({"llama", GgmlType::F16, 32, 64, 2, 1, true}, dir + "/llama-f16-bpe.gguf");
        write_model({"bitnet-b1.58", GgmlType::I2_S, 128, 256, 2, 1, false}, dir + "/bitnet-b158-i2_s-spm.gguf");
        write_model({"bitnet", GgmlType::TQ2_0, 256, 256, 2, 2, false}, dir + "/bitnet-tq2_0-spm.gguf");
        write_model({"llama", GgmlType::TQ1_0, 256, 256, 4, 2, false}, dir + "/llama-tq1_0-spm.gguf");
        write_metadata_only(dir + "/metadata-v2.gguf");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_seed_models: %s\n", e.what());
        return 1;
    }
    return 0;
}
