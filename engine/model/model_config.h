#pragma once
// Hyper-parameters of a loaded model, read from the GGUF "<arch>.*" keys and checked against
// the tensor shapes.
#include <cstdint>
#include <string>

namespace tern {

struct ModelConfig {
    std::string arch;        // general.architecture as written in the file (may be an alias)
    std::string name;        // general.name, if any
    int32_t n_vocab = 0;     // rows of the embedding matrix
    int32_t n_ctx_train = 0; // context length the model was trained for
    int32_t n_embd = 0;
    int32_t n_layer = 0;
    int32_t n_ff = 0;
    int32_t n_head = 0;
    int32_t n_head_kv = 0;
    int32_t head_dim = 0;    // n_embd / n_head
    int32_t n_rot = 0;       // dimensions of each head that RoPE rotates
    float rms_eps = 1e-5f;
    float rope_base = 10000.0f;

    int32_t q_dim() const { return n_head * head_dim; }
    int32_t kv_dim() const { return n_head_kv * head_dim; }
};

}  // namespace tern
