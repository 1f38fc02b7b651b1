#include "engine/model/synthetic_model.h"

#include "engine/model/arch.h"
#include "engine/error.h"
#include "engine/gguf/gguf_reader.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/tokenizer/tokenizer_bpe.h"
#include "engine/tokenizer/unicode.h"
#include "kernels/fp16.h"
#include "kernels/splitmix64.h"
#include "kernels/ternary_formats.h"

#include <cmath>
#include <vector>

namespace tern {
namespace {

struct Shape {
    int32_t n_embd, n_layer, n_ff, n_head, n_head_kv, n_ctx, n_vocab;
};

Shape shape_for(const std::string& name) {
    if (name == "tiny") return {256, 2, 512, 4, 2, 512, 0};
    if (name == "2b4t") return {2560, 30, 6912, 20, 5, 4096, 128256};  // bitnet-formats.md §1.1
    throw Error("unknown synthetic shape '" + name + "' (use tiny or 2b4t)");
}

// splitmix64: tiny, fast and the same on every platform, so files are reproducible.
struct Rng {
    uint64_t s;
    uint64_t next() {
        return splitmix64_next(s);
    }
    float uniform() { return (float)(next() >> 40) / (float)(1ull << 24); }  // [0, 1)
};

uint64_t tensor_seed(uint64_t seed, const std::string& name) {
    uint64_t h = 1469598103934665603ull ^ seed;  // FNV-1a over the name
    for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
    return h;
}

// Ternary values with P(0) = 1/2, P(+1) = P(-1) = 1/4, roughly what trained BitNet layers hold.
std::vector<int8_t> random_ternary(uint64_t seed, int64_t n) {
    static const int8_t map[4] = {-1, 0, 0, 1};
    std::vector<int8_t> t(n);
    Rng rng{seed};
    for (int64_t i = 0; i < n; i += 32) {
        uint64_t bits = rng.next();
        for (int64_t j = i; j < std::min(n, i + 32); ++j, bits >>= 2) t[j] = map[bits & 3];
    }
    return t;
}

uint32_t file_type_for(GgmlType t) {  // llama.cpp / bitnet.cpp LLAMA_FTYPE_MOSTLY_* values
    switch (t) {
        case GgmlType::I2_S: return 40;
        case GgmlType::TQ1_0: return 36;
        case GgmlType::TQ2_0: return 37;
        default: return 1;
    }
}

// The official 2B4T file embeds this placeholder (bitnet-formats.md §6); keep it byte-identical
// so template detection is exercised as with the real file.
const char* kBitnetPlaceholderTemplate =
    "{% for message in messages %}{% if loop.first %}{{ bos_token }}{% endif %}{% if message['role'] == 'user' %}"
    "{{ 'Human: ' + message['content'] + '\\n\\nBITNETAssistant: ' + eos_token }}{% elif message['role'] == "
    "'assistant' %}{{ message['content'] + eos_token }}{% endif %}{% endfor %}";

// A byte-level BPE vocabulary without merges: every byte, filler tokens up to the LLaMA 3 base
// size, then LLaMA 3's special tokens, so the special ids match the real model's.
using Metadata = std::vector<std::pair<std::string, GgufValue>>;

void add_synthetic_vocab(Metadata& w, int32_t n_vocab) {
    const int32_t n_special = n_vocab >= 128256 ? 256 : 3;
    std::vector<std::string> tokens;
    tokens.reserve(n_vocab);
    for (int b = 0; b < 256; ++b) {
        std::string text;
        utf8_append(text, gpt2_byte_to_codepoint((uint8_t)b));
        tokens.push_back(text);
    }
    while ((int32_t)tokens.size() < n_vocab - n_special) tokens.push_back("filler" + std::to_string(tokens.size()));
    const int32_t first_special = (int32_t)tokens.size();
    for (int i = 0; i < n_special; ++i) {
        static const char* named[] = {"<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"};
        if (n_special == 3) tokens.push_back(named[i]);
        else if (i == 0 || i == 1) tokens.push_back(named[i]);
        else if (i == 6) tokens.push_back("<|start_header_id|>");
        else if (i == 7) tokens.push_back("<|end_header_id|>");
        else if (i == 9) tokens.push_back("<|eot_id|>");
        else tokens.push_back("<|reserved_special_token_" + std::to_string(i < 6 ? i - 2 : i == 8 ? 4 : i - 5) + "|>");
    }
    std::vector<int32_t> types(n_vocab, 1);
    for (int32_t i = first_special; i < n_vocab; ++i) types[i] = 3;  // control
    w.emplace_back("tokenizer.ggml.model", GgufValue::str("gpt2"));
    w.emplace_back("tokenizer.ggml.tokens", GgufValue::string_array(std::move(tokens)));
    w.emplace_back("tokenizer.ggml.scores", GgufValue::f32_array(std::vector<float>(n_vocab, 0.0f)));
    w.emplace_back("tokenizer.ggml.token_type", GgufValue::i32_array(std::move(types)));
    w.emplace_back("tokenizer.ggml.merges", GgufValue::string_array({}));
    w.emplace_back("tokenizer.ggml.bos_token_id", GgufValue::u32((uint32_t)first_special));
    w.emplace_back("tokenizer.ggml.eos_token_id", GgufValue::u32((uint32_t)first_special + 1));
    w.emplace_back("tokenizer.ggml.padding_token_id", GgufValue::u32((uint32_t)first_special + 1));
}

// Takes the vocabulary of another GGUF but writes only the tokenizer keys the official 2B4T file
// has (no tokenizer.ggml.pre, for example), so the loading path is the official one.
int32_t copy_vocab(Metadata& w, const std::string& path) {
    GgufFile f = GgufFile::open(path);
    const auto& tokens = f.get_array("tokenizer.ggml.tokens").as_string_array();
    const size_t n = tokens.size();
    auto array_or = [&](const char* key, GgufValue fallback) {
        const GgufValue* v = f.find(key);
        return v && v->type() == GgufValueType::ARRAY && v->array_size() == n ? *v : fallback;
    };
    const uint64_t eos = f.get_uint("tokenizer.ggml.eos_token_id");
    w.emplace_back("tokenizer.ggml.model", GgufValue::str(f.get_string("tokenizer.ggml.model")));
    w.emplace_back("tokenizer.ggml.tokens", GgufValue::string_array(tokens));
    w.emplace_back("tokenizer.ggml.scores", array_or("tokenizer.ggml.scores", GgufValue::f32_array(std::vector<float>(n, 0.0f))));
    w.emplace_back("tokenizer.ggml.token_type", array_or("tokenizer.ggml.token_type", GgufValue::i32_array(std::vector<int32_t>(n, 1))));
    const GgufValue* merges = f.find("tokenizer.ggml.merges");
    w.emplace_back("tokenizer.ggml.merges", merges ? *merges : GgufValue::string_array({}));
    w.emplace_back("tokenizer.ggml.bos_token_id", GgufValue::u32((uint32_t)f.get_uint("tokenizer.ggml.bos_token_id")));
    w.emplace_back("tokenizer.ggml.eos_token_id", GgufValue::u32((uint32_t)eos));
    w.emplace_back("tokenizer.ggml.padding_token_id",
                   GgufValue::u32((uint32_t)f.get_uint_opt("tokenizer.ggml.padding_token_id").value_or(eos)));
    return (int32_t)n;
}

}  // namespace

void write_synthetic_model(const SyntheticOptions& o, const std::string& out_path) {
    const ArchSpec* spec = find_arch(o.arch);
    if (!spec) throw Error("unknown architecture '" + o.arch + "' (use " + known_arch_names() + ")");
    if (!ggml_type_is_ternary(o.type)) throw Error("synthetic models need a ternary type (i2_s, tq1_0, tq2_0)");
    Shape s = shape_for(o.shape);
    const std::string a = o.arch;

    // Metadata in the order of the official file (bitnet-formats.md §2.1).
    GgufWriter w;
    Metadata vocab;  // tokenizer keys, merged in below at the official position
    int32_t n_vocab = o.vocab_path.empty() ? 0 : copy_vocab(vocab, o.vocab_path);
    if (n_vocab == 0) {
        n_vocab = s.n_vocab ? s.n_vocab : 259;
        add_synthetic_vocab(vocab, n_vocab);
    }
    w.add("general.architecture", GgufValue::str(a));
    w.add("general.name", GgufValue::str(o.shape == "2b4t" ? "bitnet2b" : "tern-synthetic-" + o.shape));
    w.add(a + ".vocab_size", GgufValue::u32((uint32_t)n_vocab));
    w.add(a + ".context_length", GgufValue::u32((uint32_t)s.n_ctx));
    w.add(a + ".embedding_length", GgufValue::u32((uint32_t)s.n_embd));
    w.add(a + ".block_count", GgufValue::u32((uint32_t)s.n_layer));
    w.add(a + ".feed_forward_length", GgufValue::u32((uint32_t)s.n_ff));
    w.add(a + ".rope.dimension_count", GgufValue::u32((uint32_t)(s.n_embd / s.n_head)));
    w.add(a + ".attention.head_count", GgufValue::u32((uint32_t)s.n_head));
    w.add(a + ".attention.head_count_kv", GgufValue::u32((uint32_t)s.n_head_kv));
    w.add("tokenizer.ggml.add_bos_token", GgufValue::boolean(true));
    w.add(a + ".attention.layer_norm_rms_epsilon", GgufValue::f32(1e-5f));
    w.add(a + ".rope.freq_base", GgufValue::f32(500000.0f));
    w.add("general.file_type", GgufValue::u32(file_type_for(o.type)));
    for (const auto& kv : vocab)
        if (kv.first != "tokenizer.ggml.add_bos_token") w.add(kv.first, kv.second);
    w.add("tokenizer.chat_template", GgufValue::str(kBitnetPlaceholderTemplate));
    w.add("general.quantization_version", GgufValue::u32(2));

    const int64_t E = s.n_embd, F = s.n_ff, hd = s.n_embd / s.n_head, KV = hd * s.n_head_kv;
    auto add_f16_matrix = [&](const std::string& name, int64_t in, int64_t out, float stddev) {
        w.add_tensor(name, GgmlType::F16, {in, out}, [=](uint8_t* dst, uint64_t) {
            Rng rng{tensor_seed(o.seed, name)};
            uint16_t* p = reinterpret_cast<uint16_t*>(dst);
            // Sum of 4 uniforms: cheap, roughly normal, unit variance after scaling by sqrt(3).
            for (int64_t i = 0; i < in * out; ++i) {
                float u = rng.uniform() + rng.uniform() + rng.uniform() + rng.uniform() - 2.0f;
                p[i] = kernels::f32_to_fp16(u * 1.7320508f * stddev);
            }
        });
    };
    auto add_norm = [&](const std::string& name, int64_t n) {
        w.add_tensor(name, GgmlType::F32, {n}, [=](uint8_t* dst, uint64_t) {
            Rng rng{tensor_seed(o.seed, name)};
            float* p = reinterpret_cast<float*>(dst);
            for (int64_t i = 0; i < n; ++i) p[i] = 1.0f + 0.2f * (rng.uniform() - 0.5f);
        });
    };
    auto add_ternary = [&](const std::string& name, int64_t in, int64_t out) {
        // Scale so that outputs keep roughly the variance of inputs; rounded to fp16 so the TQ
        // encodings (fp16 block scales) hold exactly the same value as I2_S (float32).
        const float scale = kernels::fp16_to_f32(kernels::f32_to_fp16(1.0f / std::sqrt(0.5f * (float)in)));
        const GgmlType type = o.type;
        w.add_tensor(name, type, {in, out}, [=](uint8_t* dst, uint64_t) {
            std::vector<int8_t> t = random_ternary(tensor_seed(o.seed, name), in * out);
            if (type == GgmlType::I2_S) kernels::i2s_pack(t.data(), in * out, scale, dst);
            else if (type == GgmlType::TQ2_0) kernels::tq2_0_pack(t.data(), in * out, scale, dst);
            else kernels::tq1_0_pack(t.data(), in * out, scale, dst);
        });
        if (spec->optional_scales) {
            const std::string sname = name.substr(0, name.size() - 6) + "scale";  // "x.weight" -> "x.scale"
            const float extra = 0.5f + Rng{tensor_seed(o.seed, sname)}.uniform();
            w.add_tensor(sname, GgmlType::F32, {1}, &extra, sizeof(float));
        }
    };

    add_f16_matrix("token_embd.weight", E, n_vocab, 0.05f);
    for (int il = 0; il < s.n_layer; ++il) {
        const std::string b = "blk." + std::to_string(il) + ".";
        add_norm(b + "attn_norm.weight", E);
        add_ternary(b + "attn_q.weight", E, E);
        add_ternary(b + "attn_k.weight", E, KV);
        add_ternary(b + "attn_v.weight", E, KV);
        if (spec->sub_norms) add_norm(b + "attn_sub_norm.weight", E);
        add_ternary(b + "attn_output.weight", E, E);
        add_norm(b + "ffn_norm.weight", E);
        add_ternary(b + "ffn_gate.weight", E, F);
        add_ternary(b + "ffn_up.weight", E, F);
        if (spec->sub_norms) add_norm(b + "ffn_sub_norm.weight", F);
        add_ternary(b + "ffn_down.weight", F, E);
    }
    add_norm("output_norm.weight", E);
    if (spec->may_have_output) add_f16_matrix("output.weight", E, n_vocab, 0.05f);
    w.write(out_path);
}

}  // namespace tern
