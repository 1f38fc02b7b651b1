#pragma once
// Writes GGUF v3 (or v2) files. Tensor bytes are produced by a callback at write time, one tensor
// at a time, so converting a multi-gigabyte model never holds the whole model in memory twice.
// The file is written to PATH.tmp and renamed over PATH only when complete, so a crash or a full
// disk never leaves a half-written model where a good one is expected.
#include "engine/gguf/ggml_type.h"
#include "engine/gguf/gguf_value.h"

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace tern {

class GgufWriter {
public:
    using FillFn = std::function<void(uint8_t* dst, uint64_t nbytes)>;

    // Power of two (throws tern::Error otherwise); default 32. general.alignment is written
    // only when it differs from 32 (or when the key was add()ed explicitly).
    void set_alignment(uint32_t a);
    uint32_t alignment() const { return alignment_; }

    // Keeps insertion order; replaces the value if the key exists. Adding general.alignment
    // also sets the alignment (it must be a power-of-two integer).
    void add(const std::string& key, GgufValue v);

    // dst is zeroed before fill is called, so bytes fill leaves alone are deterministic.
    // Throws tern::Error if the dims do not fit the type (see ggml_tensor_nbytes) or the name
    // is empty or already used.
    void add_tensor(const std::string& name, GgmlType type, std::vector<int64_t> ne, FillFn fill);
    // Copies nbytes from data; nbytes must equal the tensor's size.
    void add_tensor(const std::string& name, GgmlType type, std::vector<int64_t> ne,
                    const void* data, uint64_t nbytes);

    // Writes to path + ".tmp" then renames. Throws tern::Error naming the path on any I/O
    // failure (e.g. disk full) after removing the temp file; exceptions from fill callbacks
    // propagate after the same clean-up.
    void write(const std::string& path, uint32_t version = 3) const;

    const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return kvs_; }

private:
    struct Tensor {
        std::string name;
        GgmlType type;
        std::vector<int64_t> ne;
        uint64_t nbytes;
        FillFn fill;
    };
    void write_to(const std::string& tmp_path, uint32_t version) const;

    uint32_t alignment_ = 32;
    std::vector<std::pair<std::string, GgufValue>> kvs_;
    std::vector<Tensor> tensors_;
};

}  // namespace tern
