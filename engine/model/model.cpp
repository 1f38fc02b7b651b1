#include "engine/model/model.h"

#include "engine/error.h"
#include "engine/gguf/gguf_reader.h"
#include "engine/model/kv_cache.h"
#include "engine/gguf/mapped_file.h"
#include "engine/model/model_inspect.h"
#include "engine/model/model_limits.h"
#include "engine/model/system_memory.h"
#include "engine/model/thread_pool.h"
#include "engine/tokenizer/tokenizer.h"
#include "kernels/fp16.h"

#include <chrono>
#include <cstring>
#include <thread>

namespace tern {
namespace {

// Norm weights are small; keep them as float32 whatever the file stores. Shape and type were
// checked by inspect_model.
std::vector<float> read_vector(const GgufFile& f, const GgufTensorInfo& t) {
    const int64_t n = t.n_elements();
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

}  // namespace

Model::~Model() = default;

int Model::n_threads() const { return pool_->size(); }
int Model::decode_threads() const { return pool_for(1).size(); }

std::unique_ptr<Model> Model::load(const std::string& path, const LoadOptions& options) {
    const auto t0 = std::chrono::steady_clock::now();
    GgufFile f = GgufFile::open(path);
    std::unique_ptr<Model> m(new Model());
    m->path_ = path;

    ModelInspection inspection = inspect_model(f, options);
    m->arch_ = inspection.arch;
    m->config_ = inspection.config;
    m->activation_ = inspection.activation;
    m->tokenizer_ = std::move(inspection.tokenizer);
    m->chat_format_ = inspection.chat_format;

    // Start of the mapping (the file's first byte), for releasing its pages.
    const uint8_t* file_start = nullptr;
    if (!f.tensors().empty()) {
        const GgufTensorInfo& first = f.tensors().front();
        file_start = f.tensor_data(first) - first.offset - f.data_offset();
        // The header (2B4T's vocabulary: several MB) has been parsed into the inspection.
        release_mapped_pages(file_start, f.data_offset());
    }

    int threads = options.n_threads > 0 ? options.n_threads : (int)std::thread::hardware_concurrency();
    m->pool_ = std::make_unique<ThreadPool>(std::max(1, threads));

    m->load_tensors(f, inspection, options);
    // Tensors were released one by one as they were copied, but a page fault maps the cached
    // pages around it too (Linux's fault-around, 64 KiB), so neighbours released earlier and
    // the start of tensors used in place come back. Nothing of the file is needed now until a
    // forward pass reads a tensor used in place: drop the whole mapping from the resident set.
    if (!options.use_mmap && file_start) release_mapped_pages(file_start, f.file_size());
    // Kept open while any matrix is computed from it (tensor data pointers stay valid: moving
    // the file moves its mapping, not the mapped memory).
    if (options.use_mmap || inspection.mapped_bytes > 0) m->mapped_ = std::make_unique<GgufFile>(std::move(f));
    if (m->pool_->size() > 1 && m->weight_bytes_per_token() < kSerialDecodeBytes)
        m->serial_pool_ = std::make_unique<ThreadPool>(1);
    m->load_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return m;
}

void Model::load_tensors(const GgufFile& f, const ModelInspection& inspection, const LoadOptions& options) {
    // Where each tensor of the plan goes.
    layers_.resize(config_.n_layer);
    auto norm_slot = [&](const PlannedTensor& p) -> std::vector<float>& {
        switch (p.kind) {
            case TensorKind::AttnNorm: return layers_[p.layer].attn_norm;
            case TensorKind::FfnNorm: return layers_[p.layer].ffn_norm;
            case TensorKind::AttnSubNorm: return layers_[p.layer].attn_sub_norm;
            case TensorKind::FfnSubNorm: return layers_[p.layer].ffn_sub_norm;
            default: return output_norm_;
        }
    };
    auto matrix_slot = [&](const PlannedTensor& p) -> std::unique_ptr<Linear>& {
        switch (p.kind) {
            case TensorKind::Output: return output_;
            case TensorKind::AttnQ: return layers_[p.layer].wq;
            case TensorKind::AttnK: return layers_[p.layer].wk;
            case TensorKind::AttnV: return layers_[p.layer].wv;
            case TensorKind::AttnOutput: return layers_[p.layer].wo;
            case TensorKind::FfnGate: return layers_[p.layer].gate;
            case TensorKind::FfnUp: return layers_[p.layer].up;
            case TensorKind::FfnDown: return layers_[p.layer].down;
            default: return embd_;
        }
    };

    // Everything that will be allocated was counted by the inspection; checked before the first
    // allocation. Matrices used from the mapping count too (unless everything is mapped on
    // request): they are read as much as the others and want to stay resident.
    check_fits_in_memory("loading " + path_,
                         inspection.weight_memory + (options.use_mmap ? 0 : inspection.mapped_bytes),
                         options.memory_available ? std::optional<uint64_t>(options.memory_available)
                                                  : available_physical_memory());

    // Repacked matrices (ternary and F16) and the optional 8-bit output matrix are built by the
    // layers themselves straight from the file (linear.h), whose pages are then released; the
    // matrices the kernels read in the file's layout are used from the mapping in place
    // (inspection: in_place); any other matrix is copied into one anonymous allocation.
    const uint64_t copied = inspection.copied_bytes, total = inspection.matrix_file_bytes;
    weight_bytes_total_ = copied + inspection.mapped_bytes;
    mapped_weight_bytes_ = inspection.mapped_bytes;
    if (copied > 0) {
        try {
            storage_ = std::make_unique<WeightBuffer>(copied + 64);
        } catch (const std::bad_alloc&) {
            throw Error("not enough memory to load " + std::to_string(total >> 20) + " MiB of weights");
        }
    }
    // Without use_mmap the file's pages are only wanted while a tensor is read: released after
    // each one (the vectors' too), so that loading never holds a tensor twice. Pages of tensors
    // used in place are left alone (only those a forward pass reads become resident).
    const bool release = !options.use_mmap;
    LinearOptions layer_options;
    layer_options.pool = pool_.get();
    auto aligned = [](uint64_t n) { return (n + 63) & ~uint64_t(63); };
    uint8_t* base = storage_ ? storage_->data() : nullptr;
    uint64_t offset = 0, done = 0;
    for (const InspectedTensor& it : inspection.tensors) {
        const GgufTensorInfo& t = *it.info;
        if (!tensor_kind_is_matrix(it.plan.kind)) {
            norm_slot(it.plan) = read_vector(f, t);
            if (release) release_mapped_pages(f.tensor_data(t), t.nbytes);
            continue;
        }
        const float scale = it.scale ? read_vector(f, *it.scale)[0] : 1.0f;
        const uint8_t* src = f.tensor_data(t);
        WeightView w{t.name, t.type, t.ne[0], t.n_elements() / t.ne[0], src, t.nbytes, nullptr};
        if (it.layer_owns_weights) {
            LinearOptions o = layer_options;
            o.repack = it.repack;
            o.requantize_q8 = options.output_q8 && it.is_output;
            o.release_source = release;
            o.screen = it.screen;
            const auto r0 = std::chrono::steady_clock::now();
            matrix_slot(it.plan) = make_linear(w, scale, o);
            repack_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();
            weight_bytes_total_ += matrix_slot(it.plan)->weight_bytes() + matrix_slot(it.plan)->screen_bytes();
            if (release) release_mapped_pages(src, t.nbytes);
        } else {
            if (!it.in_place) {
                std::memcpy(base + offset, src, t.nbytes);
                w.data = base + offset;
                offset += aligned(t.nbytes);
                if (release) release_mapped_pages(src, t.nbytes);
            }
            LinearOptions o = layer_options;
            o.screen = it.screen;  // the screening copy is built from the mapped rows
            o.release_source = release && it.in_place;  // never on the anonymous copy
            if (o.release_source) w.reader = f.reader();  // sparse rows read through the file
            matrix_slot(it.plan) = make_linear(w, scale, o);
            weight_bytes_total_ += matrix_slot(it.plan)->screen_bytes();
        }
        if (it.scale && release) release_mapped_pages(f.tensor_data(*it.scale), it.scale->nbytes);
        done += t.nbytes;
        if (options.progress) options.progress((float)done / (float)total);
    }
}

bool Model::in_mapping(const void* p, uint64_t n) const {
    if (!mapped_ || mapped_->tensors().empty()) return false;
    // The mapping spans the whole file; its start is the first tensor's data less its offsets.
    const GgufTensorInfo& first = mapped_->tensors().front();
    const uint8_t* data = mapped_->tensor_data(first) - first.offset;  // the tensor data section
    const uint8_t* b = static_cast<const uint8_t*>(p);
    const uint64_t section = mapped_->file_size() - mapped_->data_offset();
    return b >= data && b <= data + section && n <= (uint64_t)(data + section - b);
}

uint64_t Model::weight_bytes_per_token() const {
    // A screened decode step reads the 8-bit copy (and a few F16 rows) instead of the matrix.
    const Linear& out = output_matrix();
    uint64_t n = out.can_screen() ? out.screen_bytes() : out.weight_bytes();
    for (const Layer& L : layers_)
        for (const Linear* l : {L.wq.get(), L.wk.get(), L.wv.get(), L.wo.get(), L.gate.get(), L.up.get(), L.down.get()})
            n += l->weight_bytes();
    return n;
}

}  // namespace tern
