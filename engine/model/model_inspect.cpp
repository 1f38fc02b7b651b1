#include "engine/model/model_inspect.h"

#include "engine/error.h"
#include "engine/gguf/gguf_reader.h"
#include "engine/model/linear.h"
#include "engine/model/model_limits.h"
#include "engine/tokenizer/tokenizer.h"

#include <algorithm>

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

void check_shape(const GgufTensorInfo& t, const std::vector<int64_t>& want) {
    std::vector<int64_t> got = t.ne;
    while (got.size() > want.size() && got.back() == 1) got.pop_back();
    if (got != want)
        throw Error("tensor '" + t.name + "' has shape " + shape_text(t.ne) + ", expected " + shape_text(want));
}

// Norm vectors and scales are read as float32 at load (Model::load), converted from these.
void check_vector_type(const GgufTensorInfo& t) {
    if (t.type != GgmlType::F32 && t.type != GgmlType::F16 && t.type != GgmlType::BF16)
        throw Error("tensor '" + t.name + "' must be f32, f16 or bf16, not " + ggml_type_name(t.type));
}

const GgufTensorInfo* find_scale(const GgufFile& f, const PlannedTensor& p) {
    if (p.scale_name.empty()) return nullptr;
    const GgufTensorInfo* s = f.find_tensor(p.scale_name);
    if (!s) return nullptr;
    if (s->n_elements() != 1) throw Error("tensor '" + s->name + "' should hold one value");
    check_shape(*s, {1});
    check_vector_type(*s);
    return s;
}

// The vocabulary size is the embedding's row count, so the plan can only be made once the
// embedding is known to have rows of n_embd and a plausible number of them.
int32_t vocab_size(const GgufFile& f, const ModelConfig& c) {
    const GgufTensorInfo& embd = require_tensor(f, "token_embd.weight");
    if (embd.ne.size() < 2 || embd.ne[0] != c.n_embd)
        throw Error("tensor 'token_embd.weight' has shape " + shape_text(embd.ne) + ", expected [" +
                    std::to_string(c.n_embd) + ", n_vocab]");
    return checked_vocab_rows(embd);  // before any cast: 2^32 + 8 rows must not pass as 8
}

// Resolves the plan against the file, checking every shape and type, and works out how the
// loader will hold each matrix with `options`.
void inspect_tensors(const GgufFile& f, const LoadOptions& options, ModelInspection& m) {
    const GgufTensorInfo* output = m.arch->may_have_output ? f.find_tensor("output.weight") : nullptr;
    m.tied_output = output == nullptr;
    LinearOptions layer_options;
    layer_options.repack = options.repack && !options.use_mmap;
    const bool in_place = options.map_in_place && !options.use_mmap;
    auto aligned = [](uint64_t n) { return (n + 63) & ~uint64_t(63); };

    for (PlannedTensor& p : tensor_plan(*m.arch, m.config)) {
        const GgufTensorInfo* info = p.required ? &require_tensor(f, p.name) : f.find_tensor(p.name);
        if (!info) continue;
        check_shape(*info, p.shape);
        InspectedTensor t;
        t.info = info;
        if (tensor_kind_is_matrix(p.kind)) {
            check_matrix_tensor(*info);
            t.scale = find_scale(f, p);
            t.is_output = p.kind == TensorKind::Output || (p.kind == TensorKind::TokenEmbd && m.tied_output);
            LinearOptions o = layer_options;
            o.requantize_q8 = options.output_q8 && t.is_output;
            // A token embedding that is only looked up, row by row, stays in the file's layout
            // (only the rows looked up become resident). As the tied output matrix (2B4T: 0.66 GB
            // of F16) it is read whole every token, and the F16 kernel reads the repacked R4
            // layout ~30% faster than the file's rows (one stream per core instead of four;
            // measured 24.6 vs 33-36 ms per GEMV on 2 cores): repacked, its file pages released
            // slice by slice, it costs no more memory than mapped (read whole, all its pages
            // would be resident). Once the logits are screened with a smaller copy and only
            // chosen rows are recomputed from F16 (issue 15, item 1), keep it mapped here too.
            if (p.kind == TensorKind::TokenEmbd && !t.is_output && in_place) o.repack = false;
            const uint8_t* data = f.tensor_data(*info);
            const WeightView view{info->name, info->type, info->ne[0], info->n_elements() / info->ne[0], data,
                                  info->nbytes, nullptr};
            // An output matrix screened at 8 bits (LoadOptions::output_screening) is read whole
            // only by the full pass (prefill's last token, all-logits callers); decode reads its
            // chosen rows. So with map_in_place it stays mapped: only those rows' pages become
            // resident, and the screening copy (about half its bytes) is what is read whole.
            o.screen = options.output_screening && t.is_output && !options.use_mmap && !t.scale &&
                       info->nbytes >= options.screening_min_bytes && linear_screenable(view, o);
            t.screen = o.screen;
            if (t.screen) {
                if (in_place) o.repack = false;
                m.screen_bytes = ggml_row_bytes(GgmlType::Q8_0, view.in) * (uint64_t)view.out + 12 * (uint64_t)view.out;
                m.owned_bytes += m.screen_bytes;
            }
            t.repack = o.repack;
            t.layer_owns_weights = linear_owns_weights(view, o);
            // The kernels load weights unaligned, but a float matrix must at least be aligned to
            // its element: require GGUF's default alignment (any file written with it has it).
            t.in_place = !t.layer_owns_weights &&
                         (options.use_mmap || (in_place && reinterpret_cast<uintptr_t>(data) % 32 == 0));
            m.matrix_file_bytes += info->nbytes;
            // A layer's own copy takes about the bytes of its source (an 8-bit requantisation
            // takes less): counted in full, so the estimate errs on the safe side.
            if (t.layer_owns_weights) m.owned_bytes += info->nbytes;
            else if (t.in_place) m.mapped_bytes += info->nbytes;
            else m.copied_bytes += aligned(info->nbytes);
        } else {
            check_vector_type(*info);
        }
        if (std::find(m.types.begin(), m.types.end(), info->type) == m.types.end()) m.types.push_back(info->type);
        t.plan = std::move(p);
        m.tensors.push_back(std::move(t));
    }
    m.weight_memory = m.copied_bytes + m.owned_bytes;
}

}  // namespace

ModelInspection::ModelInspection() = default;
ModelInspection::ModelInspection(ModelInspection&&) noexcept = default;
ModelInspection& ModelInspection::operator=(ModelInspection&&) noexcept = default;
ModelInspection::~ModelInspection() = default;

int32_t default_context(const ModelConfig& c, int32_t requested) {
    if (requested > 0) return requested;
    return std::min<int32_t>(c.n_ctx_train, 4096);
}

ModelInspection inspect_model(const GgufFile& f, const LoadOptions& options) {
    ModelInspection m;
    const std::string arch = f.get_string("general.architecture");
    m.arch = find_arch(arch);
    if (!m.arch) throw Error("unsupported model architecture '" + arch + "' (Tern runs: " + known_arch_names() + ")");
    m.config = read_config(f, arch);
    m.activation = read_activation(f, *m.arch, arch);
    m.tokenizer = Tokenizer::from_gguf(f);
    m.chat_format = detect_chat_format(f.get_string_opt("tokenizer.chat_template").value_or(""), arch);

    m.config.n_vocab = vocab_size(f, m.config);
    check_model_config(m.config);
    if (m.tokenizer->n_vocab() > m.config.n_vocab)
        throw Error("the tokenizer has " + std::to_string(m.tokenizer->n_vocab()) + " tokens but token_embd.weight only " +
                    std::to_string(m.config.n_vocab) + " rows");
    inspect_tensors(f, options, m);

    m.default_context = default_context(m.config);
    m.kv_cache_bytes = tern::kv_cache_bytes(m.config, m.default_context);
    return m;
}

}  // namespace tern
