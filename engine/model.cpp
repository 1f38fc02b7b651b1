#include "engine/model.h"

#include "engine/error.h"
#include "engine/gguf_reader.h"
#include "engine/kv_cache.h"
#include "engine/model_limits.h"
#include "engine/system_memory.h"
#include "engine/thread_pool.h"
#include "engine/tokenizer.h"
#include "kernels/fp16.h"

#include <chrono>
#include <cstring>
#include <thread>

namespace tern {
namespace {

int32_t config_int(const GgufFile& f, const std::string& key, int64_t max, std::optional<uint64_t> fallback = {}) {
    std::optional<uint64_t> v = f.get_uint_opt(key);
    if (!v) {
        if (!fallback) throw Error("model file lacks the required key '" + key + "'");
        v = fallback;
    }
    return checked_count("key '" + key + "'", *v, max);
}

ModelConfig read_config(const GgufFile& f, const std::string& arch) {
    ModelConfig c;
    c.arch = arch;
    c.name = f.get_string_opt("general.name").value_or("");
    const std::string p = arch + ".";
    c.n_embd = config_int(f, p + "embedding_length", limits::kMaxDim);
    c.n_layer = config_int(f, p + "block_count", limits::kMaxLayers);
    c.n_ff = config_int(f, p + "feed_forward_length", limits::kMaxDim);
    c.n_head = config_int(f, p + "attention.head_count", limits::kMaxDim);
    c.n_head_kv = config_int(f, p + "attention.head_count_kv", limits::kMaxDim, (uint64_t)c.n_head);
    c.n_ctx_train = config_int(f, p + "context_length", limits::kMaxContext, 2048);
    if (c.n_embd % c.n_head != 0)
        throw Error("embedding_length " + std::to_string(c.n_embd) + " is not a multiple of head_count " +
                    std::to_string(c.n_head));
    if (c.n_head % c.n_head_kv != 0)
        throw Error("head_count " + std::to_string(c.n_head) + " is not a multiple of head_count_kv " +
                    std::to_string(c.n_head_kv));
    c.head_dim = c.n_embd / c.n_head;
    c.n_rot = config_int(f, p + "rope.dimension_count", c.head_dim, (uint64_t)c.head_dim);
    if (c.n_rot % 2 != 0) throw Error("rope.dimension_count must be even, got " + std::to_string(c.n_rot));
    c.rms_eps = (float)f.get_float_opt(p + "attention.layer_norm_rms_epsilon").value_or(1e-5);
    c.rope_base = (float)f.get_float_opt(p + "rope.freq_base").value_or(10000.0);
    if (!(c.rms_eps > 0 && c.rms_eps < 1)) throw Error("layer_norm_rms_epsilon out of range");
    if (!(c.rope_base > 1)) throw Error("rope.freq_base out of range");
    return c;
}

FfnActivation read_activation(const GgufFile& f, const ArchSpec& spec, const std::string& arch) {
    std::optional<std::string> act = f.get_string_opt(arch + ".hidden_activation");
    if (!act) return spec.activation;
    if (*act == "relu2" || *act == "relu_sqr" || *act == "squared_relu") return FfnActivation::Relu2;
    if (*act == "silu" || *act == "swish") return FfnActivation::Silu;
    throw Error("unsupported hidden_activation '" + *act + "'");
}

const GgufTensorInfo& require_tensor(const GgufFile& f, const std::string& name) {
    const GgufTensorInfo* t = f.find_tensor(name);
    if (!t) throw Error("model file lacks the tensor '" + name + "'");
    return *t;
}

std::string shape_text(const std::vector<int64_t>& ne) {
    std::string s = "[";
    for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
    return s + "]";
}

void check_shape(const GgufTensorInfo& t, std::vector<int64_t> want) {
    std::vector<int64_t> got = t.ne;
    while (got.size() > want.size() && got.back() == 1) got.pop_back();
    if (got != want)
        throw Error("tensor '" + t.name + "' has shape " + shape_text(t.ne) + ", expected " + shape_text(want));
}

// Norm weights are small; keep them as float32 whatever the file stores.
std::vector<float> read_vector(const GgufFile& f, const GgufTensorInfo& t, int64_t n) {
    check_shape(t, {n});
    std::vector<float> out(n);
    const uint8_t* p = f.tensor_data(t);
    switch (t.type) {
        case GgmlType::F32: std::memcpy(out.data(), p, n * sizeof(float)); break;
        case GgmlType::F16:
            for (int64_t i = 0; i < n; ++i) out[i] = kernels::fp16_to_f32(reinterpret_cast<const uint16_t*>(p)[i]);
            break;
        case GgmlType::BF16:
            for (int64_t i = 0; i < n; ++i) out[i] = kernels::bf16_to_f32(reinterpret_cast<const uint16_t*>(p)[i]);
            break;
        default: throw Error("tensor '" + t.name + "' must be f32, f16 or bf16, not " + ggml_type_name(t.type));
    }
    return out;
}

float read_scalar(const GgufFile& f, const GgufTensorInfo& t) {
    if (t.n_elements() != 1) throw Error("tensor '" + t.name + "' should hold one value");
    return read_vector(f, t, 1)[0];
}

}  // namespace

Model::~Model() = default;

int Model::n_threads() const { return pool_->size(); }

std::unique_ptr<Model> Model::load(const std::string& path, const LoadOptions& options) {
    const auto t0 = std::chrono::steady_clock::now();
    GgufFile f = GgufFile::open(path);
    std::unique_ptr<Model> m(new Model());
    m->path_ = path;

    const std::string arch = f.get_string("general.architecture");
    m->arch_ = find_arch(arch);
    if (!m->arch_)
        throw Error("unsupported model architecture '" + arch + "' (Tern runs: " + known_arch_names() + ")");
    m->config_ = read_config(f, arch);
    m->activation_ = read_activation(f, *m->arch_, arch);
    m->tokenizer_ = Tokenizer::from_gguf(f);
    m->chat_format_ = detect_chat_format(f.get_string_opt("tokenizer.chat_template").value_or(""), arch);

    int threads = options.n_threads > 0 ? options.n_threads : (int)std::thread::hardware_concurrency();
    m->pool_ = std::make_unique<ThreadPool>(std::max(1, threads));

    m->load_tensors(f, options);
    if (options.use_mmap) m->mapped_ = std::make_unique<GgufFile>(std::move(f));
    m->load_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return m;
}

void Model::load_tensors(const GgufFile& f, const LoadOptions& options) {
    ModelConfig& c = config_;
    const ArchSpec& spec = *arch_;

    // The embedding decides the vocabulary size; the tokenizer must fit in it.
    const GgufTensorInfo& embd = require_tensor(f, "token_embd.weight");
    if (embd.ne.size() < 2 || embd.ne[0] != c.n_embd)
        throw Error("tensor 'token_embd.weight' has shape " + shape_text(embd.ne) + ", expected [" +
                    std::to_string(c.n_embd) + ", n_vocab]");
    c.n_vocab = checked_vocab_rows(embd);  // before any cast: 2^32 + 8 rows must not pass as 8
    check_shape(embd, {c.n_embd, c.n_vocab});
    check_model_config(c);
    if (tokenizer_->n_vocab() > c.n_vocab)
        throw Error("the tokenizer has " + std::to_string(tokenizer_->n_vocab()) + " tokens but token_embd.weight only " +
                    std::to_string(c.n_vocab) + " rows");

    const GgufTensorInfo* output = spec.may_have_output ? f.find_tensor("output.weight") : nullptr;
    if (output) check_shape(*output, {c.n_embd, c.n_vocab});

    // Plan: every matrix, with the shape it must have.
    struct Planned { const GgufTensorInfo* info; std::unique_ptr<Linear>* slot; float scale; bool is_output = false; };
    std::vector<Planned> plan;
    plan.push_back({&embd, &embd_, 1.0f, output == nullptr});
    if (output) plan.push_back({output, &output_, 1.0f, true});
    output_norm_ = read_vector(f, require_tensor(f, "output_norm.weight"), c.n_embd);

    layers_.resize(c.n_layer);
    for (int il = 0; il < c.n_layer; ++il) {
        Layer& L = layers_[il];
        const std::string b = "blk." + std::to_string(il) + ".";
        L.attn_norm = read_vector(f, require_tensor(f, b + "attn_norm.weight"), c.n_embd);
        L.ffn_norm = read_vector(f, require_tensor(f, b + "ffn_norm.weight"), c.n_embd);
        if (spec.sub_norms) {
            L.attn_sub_norm = read_vector(f, require_tensor(f, b + "attn_sub_norm.weight"), c.q_dim());
            L.ffn_sub_norm = read_vector(f, require_tensor(f, b + "ffn_sub_norm.weight"), c.n_ff);
        }
        const struct { const char* name; std::unique_ptr<Linear>* slot; int64_t in, out; } mats[] = {
            {"attn_q", &L.wq, c.n_embd, c.q_dim()},     {"attn_k", &L.wk, c.n_embd, c.kv_dim()},
            {"attn_v", &L.wv, c.n_embd, c.kv_dim()},    {"attn_output", &L.wo, c.q_dim(), c.n_embd},
            {"ffn_gate", &L.gate, c.n_embd, c.n_ff},    {"ffn_up", &L.up, c.n_embd, c.n_ff},
            {"ffn_down", &L.down, c.n_ff, c.n_embd},
        };
        for (const auto& mat : mats) {
            const GgufTensorInfo& t = require_tensor(f, b + mat.name + ".weight");
            check_shape(t, {mat.in, mat.out});
            float scale = 1.0f;
            if (spec.optional_scales)
                if (const GgufTensorInfo* s = f.find_tensor(b + mat.name + ".scale")) scale = read_scalar(f, *s);
            plan.push_back({&t, mat.slot, scale});
        }
    }

    // Repacked matrices (ternary and F16) and the optional 8-bit output matrix are built by the
    // layers themselves straight from the file (linear.h); every other matrix is copied into one
    // anonymous allocation (unless computing from the mapping).
    LinearOptions layer_options;
    layer_options.repack = options.repack && !options.use_mmap;
    layer_options.pool = pool_.get();
    auto options_for = [&](const Planned& p) {
        LinearOptions o = layer_options;
        o.requantize_q8 = options.output_q8 && p.is_output;
        return o;
    };
    auto view_of = [&](const Planned& p, const uint8_t* data) {
        const GgufTensorInfo& t = *p.info;
        return WeightView{t.name, t.type, t.ne[0], t.n_elements() / t.ne[0], data, t.nbytes};
    };
    auto aligned = [](uint64_t n) { return (n + 63) & ~uint64_t(63); };
    // Everything that will be allocated, checked before the first allocation: the shared copy,
    // plus what repacking layers allocate for themselves (about the size of their source; an
    // 8-bit requantisation takes less).
    uint64_t total = 0, copied = 0, owned = 0;
    for (const Planned& p : plan) {
        check_matrix_tensor(*p.info);
        total += p.info->nbytes;
        if (linear_owns_weights(view_of(p, f.tensor_data(*p.info)), options_for(p))) owned += p.info->nbytes;
        else copied += aligned(p.info->nbytes);
    }
    check_fits_in_memory("loading " + path_, (options.use_mmap ? 0 : copied) + owned,
                         options.memory_available ? std::optional<uint64_t>(options.memory_available)
                                                  : available_physical_memory());
    weight_bytes_total_ = copied;
    if (!options.use_mmap) {
        try {
            storage_ = std::make_unique<WeightBuffer>(copied + 64);
        } catch (const std::bad_alloc&) {
            throw Error("not enough memory to load " + std::to_string(total >> 20) + " MiB of weights");
        }
    }
    uint8_t* base = storage_ ? storage_->data() : nullptr;
    uint64_t offset = 0, done = 0;
    for (const Planned& p : plan) {
        const GgufTensorInfo& t = *p.info;
        const uint8_t* src = f.tensor_data(t);
        const uint8_t* data = src;
        const LinearOptions o = options_for(p);
        if (linear_owns_weights(view_of(p, src), o)) {
            const auto r0 = std::chrono::steady_clock::now();
            *p.slot = make_linear(view_of(p, src), p.scale, o);
            repack_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();
            weight_bytes_total_ += (*p.slot)->weight_bytes();
            done += t.nbytes;
            if (options.progress) options.progress((float)done / (float)total);
            continue;
        }
        if (base) {
            std::memcpy(base + offset, src, t.nbytes);
            data = base + offset;
            offset += aligned(t.nbytes);
        }
        WeightView w{t.name, t.type, t.ne[0], t.n_elements() / t.ne[0], data, t.nbytes};
        *p.slot = make_linear(w, p.scale);
        done += t.nbytes;
        if (options.progress) options.progress((float)done / (float)total);
    }
}

uint64_t Model::weight_bytes_per_token() const {
    uint64_t n = (output_ ? output_ : embd_)->weight_bytes();
    for (const Layer& L : layers_)
        for (const Linear* l : {L.wq.get(), L.wk.get(), L.wv.get(), L.wo.get(), L.gate.get(), L.up.get(), L.down.get()})
            n += l->weight_bytes();
    return n;
}

}  // namespace tern
