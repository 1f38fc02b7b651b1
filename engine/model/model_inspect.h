#pragma once
// The one answer to "can Tern run this file?". inspect_model() reads a GGUF file's metadata and
// tensor directory, never its weights, and decides everything Model::load will need: the
// architecture, the configuration, the tokenizer, and every tensor of the architecture's plan
// (engine/model/arch.h) with its type and shape checked, plus the memory the loaded model will take.
// Model::load starts from this inspection and the app's model check (app/modelstore/gguf_check)
// is this inspection, so the two can never disagree about a file.
#include "engine/model/arch.h"
#include "engine/chat/chat_template.h"
#include "engine/gguf/ggml_type.h"
#include "engine/model/model.h"
#include "engine/model/model_config.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace tern {

class GgufFile;
struct GgufTensorInfo;
class Tokenizer;

// One tensor of the plan as the file holds it.
struct InspectedTensor {
    PlannedTensor plan;
    const GgufTensorInfo* info = nullptr;   // in the inspected file (valid while it is open)
    const GgufTensorInfo* scale = nullptr;  // its optional one-element ".scale" tensor, or null
    bool is_output = false;  // computes the logits: output.weight, or the embedding when tied
    // Matrices: the layer copies (repacks or requantises) the weights itself; otherwise they go
    // into the loader's one shared copy (or are used from the mapping with use_mmap).
    bool layer_owns_weights = false;
    // Matrices: the layer is asked to repack (LinearOptions::repack). Off for the token
    // embedding with map_in_place, whose file layout the F16 kernel reads as it is.
    bool repack = false;
    // Matrices no layer owns: computed from the file's mapping in place (use_mmap, or
    // map_in_place with the data aligned as GGUF's default alignment) instead of the shared copy.
    bool in_place = false;
    // The output matrix gets a screening copy (LoadOptions::output_screening, linear.h).
    bool screen = false;
};

struct ModelInspection {
    ModelInspection();
    ModelInspection(ModelInspection&&) noexcept;
    ModelInspection& operator=(ModelInspection&&) noexcept;
    ~ModelInspection();

    const ArchSpec* arch = nullptr;
    ModelConfig config;  // n_vocab included (the embedding's rows)
    FfnActivation activation = FfnActivation::Silu;
    ChatFormat chat_format = ChatFormat::ChatML;
    std::unique_ptr<Tokenizer> tokenizer;  // built from the file's vocabulary; Model::load keeps it
    // The planned tensors the file holds, in load order (an absent optional output.weight is
    // left out: the embedding is then the output matrix).
    std::vector<InspectedTensor> tensors;
    std::vector<GgmlType> types;  // distinct types of those tensors, in order of appearance
    bool tied_output = true;

    // Memory, in bytes, with the LoadOptions inspected for.
    uint64_t matrix_file_bytes = 0;  // the matrices as stored in the file
    uint64_t copied_bytes = 0;       // the loader's shared copy of the matrices no layer owns (64-byte aligned)
    uint64_t owned_bytes = 0;        // matrices the layers repack or requantise into their own memory
    uint64_t mapped_bytes = 0;       // matrices computed from the file's mapping in place (in_place)
    uint64_t screen_bytes = 0;       // the output screening copy and its row norms (part of owned_bytes)
    uint64_t weight_memory = 0;      // what loading allocates: the copy + owned (mapped pages not included)
    int32_t default_context = 0;     // default_context(config)
    uint64_t kv_cache_bytes = 0;     // one session's KV cache at default_context
    // Mapped matrices count: they are read (the output matrix every token) and must stay resident
    // in the page cache to be read fast, though the system may reclaim them.
    uint64_t memory_needed() const { return weight_memory + mapped_bytes + kv_cache_bytes; }
};

// Inspects an open model file for loading with `options` (which decide how weights are held).
// Throws tern::Error (GgufError for a malformed file) naming the key or tensor that makes the
// file unusable; Model::load gives the same errors because it starts with this call.
ModelInspection inspect_model(const GgufFile& f, const LoadOptions& options = {});

// Context size a session gets when none is asked for: the training context, at most 4096.
int32_t default_context(const ModelConfig& c, int32_t requested = 0);

}  // namespace tern
