#pragma once
// What distinguishes one model architecture from another, in one place. The forward pass is
// written once and reads these switches; each architecture declares its switches in its own
// file (arch_*.cpp), the way llama.cpp keeps one file per architecture. The tensors a model of
// an architecture holds follow from the same switches (tensor_plan).
#include "engine/model/model_config.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tern {

// How RoPE pairs the dimensions of a head (llama.cpp's names in brackets).
enum class RopeStyle {
    Neox,      // pairs (i, i + n_rot/2), "rotate half"   [LLAMA_ROPE_TYPE_NEOX]
    Adjacent,  // pairs (2i, 2i + 1)                       [LLAMA_ROPE_TYPE_NORM]
};

enum class FfnActivation {
    Relu2,  // relu(gate)^2 * up   (BitNet b1.58 2B4T)
    Silu,   // silu(gate) * up     (LLaMA, 1bitLLM BitNet)
};

struct ArchSpec {
    std::string name;                  // canonical name, also the GGUF key prefix
    std::vector<std::string> aliases;  // older names of the same layout (key prefix follows the file)
    RopeStyle rope = RopeStyle::Neox;
    FfnActivation activation = FfnActivation::Silu;
    bool sub_norms = false;        // attn_sub_norm before o_proj, ffn_sub_norm before down_proj
    bool optional_scales = false;  // one-element "<weight>.scale" tensors multiply a layer's output
    bool may_have_output = true;   // a separate output.weight may exist (else always tied)
};

// The architecture named by general.architecture, or nullptr if Tern does not know it.
const ArchSpec* find_arch(std::string_view name);
// All known names, for error messages.
std::string known_arch_names();

// What a tensor of a model is for: the loader puts each one in its place by this.
enum class TensorKind {
    TokenEmbd, Output, OutputNorm,                                  // once per model
    AttnNorm, FfnNorm, AttnSubNorm, FfnSubNorm,                     // per layer, norm vectors
    AttnQ, AttnK, AttnV, AttnOutput, FfnGate, FfnUp, FfnDown,       // per layer, matrices
};

// True for the matrices (computed with as linear layers), false for the norm vectors.
bool tensor_kind_is_matrix(TensorKind kind);

// One tensor of an architecture's layout and the shape it must have.
struct PlannedTensor {
    TensorKind kind = TensorKind::TokenEmbd;
    int layer = -1;                // block index; -1 for the model-wide tensors
    std::string name;              // e.g. "blk.3.attn_q.weight"
    std::vector<int64_t> shape;    // ne, row length first (a file's trailing 1s do not count)
    bool required = true;          // false: output.weight, which a file may tie to the embedding
    std::string scale_name;        // the optional one-element "<...>.scale" multiplying it, or ""
};

// Every tensor a model of architecture `spec` with configuration `c` (n_vocab included) reads,
// in load order: embedding, output, output norm, then per layer its norms and matrices.
std::vector<PlannedTensor> tensor_plan(const ArchSpec& spec, const ModelConfig& c);

// Defined in arch_<name>.cpp.
ArchSpec arch_bitnet_b158();
ArchSpec arch_bitnet();
ArchSpec arch_llama();

}  // namespace tern
