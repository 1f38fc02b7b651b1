#pragma once
// Writes models with random ternary weights in the exact layout of real ones, so that loading
// paths and speeds can be tested without downloading 1.2 GB. The same seed gives the same
// ternary values whatever the storage type, so I2_S/TQ1_0/TQ2_0 files are interchangeable.
#include "engine/gguf/ggml_type.h"

#include <cstdint>
#include <string>

namespace tern {

struct SyntheticOptions {
    std::string shape = "tiny";          // "tiny" (seconds to run) or "2b4t" (BitNet b1.58 2B4T)
    GgmlType type = GgmlType::I2_S;      // storage of the linear layers: I2_S, TQ1_0 or TQ2_0
    std::string arch = "bitnet-b1.58";   // bitnet-b1.58, bitnet or llama
    uint64_t seed = 1;
    std::string vocab_path;              // optional GGUF whose tokenizer.* keys are used
};

// Throws tern::Error on a bad option or an I/O failure.
void write_synthetic_model(const SyntheticOptions& options, const std::string& out_path);

}  // namespace tern
