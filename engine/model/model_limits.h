#pragma once
// The one place that decides which sizes from a model file the engine can run. Every dimension
// and count read from a file is checked here against what the engine indexes (int32 token ids,
// int32 dimensions) and against maxima far above any real model; every product the engine later
// computes from them (weight bytes, KV cache, logits buffers) is checked for overflow, and what
// will be allocated is checked against the memory the computer has available. All of this runs
// before anything is allocated or indexed, so a hostile file gets a tern::Error naming the key
// or tensor, never a truncated size, an out-of-bounds write or a giant allocation.
#include "engine/model/kv_cache.h"
#include "engine/model/model_config.h"

#include <cstdint>
#include <optional>
#include <string>

namespace tern {

struct GgufTensorInfo;

namespace limits {

// 2B4T: n_embd 2560, n_ff 6912, 20 heads, 30 layers, 128256 tokens, 4096 positions. The largest
// open models stay below 1/16 of each limit.
constexpr int64_t kMaxDim = int64_t{1} << 20;       // n_embd, n_ff, head counts, tensor row length
constexpr int64_t kMaxLayers = 1024;
constexpr int64_t kMaxVocab = int64_t{1} << 22;     // embedding / output rows (token ids are int32)
constexpr int64_t kMaxContext = int64_t{1} << 24;   // context_length and session contexts

}  // namespace limits

// `value` read from `what` (a key) as int32 if it lies in 1..max; throws tern::Error naming
// `what` and the value otherwise.
int32_t checked_count(const std::string& what, uint64_t value, int64_t max);

// Checks a configuration (n_vocab included) and the per-batch buffers derived from it.
void check_model_config(const ModelConfig& c);

// Rows of the token embedding, i.e. the vocabulary size, if within 1..kMaxVocab; throws naming
// the tensor otherwise (a file claiming 2^32 + 8 rows must not pass as 8).
int32_t checked_vocab_rows(const GgufTensorInfo& embd);

// Checks that a matrix the engine will index has a row length and row count within the limits
// and a byte size equal to rows x row bytes; throws naming the tensor.
void check_matrix_tensor(const GgufTensorInfo& t);

// Bytes of the KV cache for n_ctx positions of `type` / of logits for n_positions; throw tern::Error if
// n_ctx is out of 1..kMaxContext or the product overflows.
uint64_t kv_cache_bytes(const ModelConfig& c, int64_t n_ctx, KvType type = KvType::F32);
uint64_t logits_bytes(const ModelConfig& c, uint64_t n_positions);

// Throws tern::Error "<what> needs X MiB of memory, this computer has Y MiB available" if needed
// exceeds available. An unknown amount (nullopt) is never a reason to refuse.
void check_fits_in_memory(const std::string& what, uint64_t needed, std::optional<uint64_t> available);

}  // namespace tern
