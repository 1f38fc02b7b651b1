#include "engine/model/model_limits.h"

#include "engine/error.h"
#include "engine/gguf/gguf_reader.h"

#include <fmt/format.h>

#include <limits>

namespace tern {
namespace {

// a * b, or a tern::Error naming `what` if it does not fit in 64 bits.
uint64_t checked_mul(uint64_t a, uint64_t b, const std::string& what) {
    if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a)
        throw Error(fmt::format("{}: {} x {} overflows 64 bits", what, a, b));
    return a * b;
}

std::string mib(uint64_t bytes) { return fmt::format("{:.1f} MiB", (double)bytes / 1048576.0); }

}  // namespace

int32_t checked_count(const std::string& what, uint64_t value, int64_t max) {
    if (value == 0 || value > (uint64_t)max)
        throw Error(fmt::format("{} has an implausible value {} (Tern supports 1 to {})", what, value, max));
    return (int32_t)value;
}

void check_model_config(const ModelConfig& c) {
    checked_count("vocabulary size (token_embd.weight rows)", (uint64_t)std::max(c.n_vocab, 0), limits::kMaxVocab);
    checked_count("embedding_length", (uint64_t)std::max(c.n_embd, 0), limits::kMaxDim);
    checked_count("feed_forward_length", (uint64_t)std::max(c.n_ff, 0), limits::kMaxDim);
    checked_count("block_count", (uint64_t)std::max(c.n_layer, 0), limits::kMaxLayers);
    checked_count("attention.head_count", (uint64_t)std::max(c.n_head, 0), limits::kMaxDim);
    checked_count("attention.head_count_kv", (uint64_t)std::max(c.n_head_kv, 0), (int64_t)std::max(c.n_head, 1));
    checked_count("context_length", (uint64_t)std::max(c.n_ctx_train, 0), limits::kMaxContext);
    // q_dim and kv_dim are int32 products; with head_dim = n_embd / n_head they cannot exceed
    // n_embd, but a config built by hand might not respect that.
    if ((int64_t)c.n_head * c.head_dim > limits::kMaxDim || (int64_t)c.n_head_kv * c.head_dim > limits::kMaxDim)
        throw Error(fmt::format("attention size {} heads x {} exceeds {}", c.n_head, c.head_dim, limits::kMaxDim));
    // The per-batch buffers (ForwardScratch, a batch of logits) must be addressable.
    logits_bytes(c, 64);
}

int32_t checked_vocab_rows(const GgufTensorInfo& embd) {
    const int64_t rows = embd.ne.size() >= 2 ? embd.ne[1] : 1;
    if (rows < 1 || rows > limits::kMaxVocab)
        throw Error(fmt::format("tensor '{}' has {} rows (vocabulary entries); Tern supports 1 to {}", embd.name, rows,
                                limits::kMaxVocab));
    return (int32_t)rows;
}

void check_matrix_tensor(const GgufTensorInfo& t) {
    const int64_t in = t.ne.empty() ? 0 : t.ne[0];
    const int64_t elements = t.n_elements();
    if (in < 1 || in > limits::kMaxDim)
        throw Error(fmt::format("tensor '{}' has rows of {} values; Tern supports 1 to {}", t.name, in, limits::kMaxDim));
    const int64_t rows = elements / in;
    if (rows < 1 || rows > limits::kMaxVocab)  // the vocabulary is the largest row count
        throw Error(fmt::format("tensor '{}' has {} rows; Tern supports 1 to {}", t.name, rows, limits::kMaxVocab));
    const uint64_t row_bytes = ggml_row_bytes(t.type, in);
    // I2_S keeps a 32-byte scale tail after the rows (ggml_type.h).
    const uint64_t tail = t.type == GgmlType::I2_S ? 32 : 0;
    if (checked_mul((uint64_t)rows, row_bytes, "tensor '" + t.name + "' size") + tail != t.nbytes)
        throw Error(fmt::format("tensor '{}' holds {} bytes, not {} rows of {} bytes", t.name, t.nbytes, rows, row_bytes));
}

uint64_t kv_cache_bytes(const ModelConfig& c, int64_t n_ctx, KvType type) {
    if (n_ctx < 1 || n_ctx > limits::kMaxContext)
        throw Error(fmt::format("context of {} tokens is out of range (1 to {})", n_ctx, limits::kMaxContext));
    const std::string what = fmt::format("KV cache of {} tokens", n_ctx);
    uint64_t n = checked_mul(2 * kv_type_bytes(type), (uint64_t)std::max(c.n_layer, 0), what);
    n = checked_mul(n, (uint64_t)n_ctx, what);
    return checked_mul(n, (uint64_t)std::max<int64_t>((int64_t)c.n_head_kv * c.head_dim, 0), what);
}

uint64_t logits_bytes(const ModelConfig& c, uint64_t n_positions) {
    const std::string what = fmt::format("logits of {} positions", n_positions);
    const uint64_t n = checked_mul(checked_mul(n_positions, (uint64_t)std::max(c.n_vocab, 0), what), sizeof(float), what);
    if (n > (uint64_t)std::numeric_limits<std::ptrdiff_t>::max())
        throw Error(fmt::format("{} ({}) exceed this computer's address space", what, mib(n)));
    return n;
}

void check_fits_in_memory(const std::string& what, uint64_t needed, std::optional<uint64_t> available) {
    if (available && needed > *available)
        throw Error(fmt::format("{} needs {} of memory, this computer has {} available", what, mib(needed),
                                mib(*available)));
}

}  // namespace tern
