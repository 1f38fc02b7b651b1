#pragma once
// A linear layer y = W x, reached through one interface whatever W's storage type is. The model
// code never looks at weight types: it calls forward(); which kernel runs is decided here, once,
// when the layer is built. Ternary weights quantise activations to int8 per token (absmax, as
// BitNet was trained); float weights multiply in float.
#include "engine/ggml_type.h"

#include <cstdint>
#include <memory>
#include <string>

namespace tern {

class ThreadPool;

// Weights of one 2-D tensor: ne0 = in (row length), ne1 = out (rows). `data` must outlive the layer.
struct WeightView {
    std::string name;
    GgmlType type = GgmlType::F32;
    int64_t in = 0;
    int64_t out = 0;
    const uint8_t* data = nullptr;
    uint64_t nbytes = 0;
};

class Linear {
public:
    virtual ~Linear() = default;
    int64_t in() const { return in_; }
    int64_t out() const { return out_; }
    GgmlType type() const { return type_; }

    // x: n_tokens rows of in() floats; y: n_tokens rows of out() floats.
    virtual void forward(const float* x, float* y, int n_tokens, ThreadPool& pool) const = 0;
    // Row r of W as floats (embedding lookup, reference tests).
    virtual void dequantize_row(int64_t r, float* dst) const = 0;
    // Bytes of weights one forward() over one token reads.
    uint64_t weight_bytes() const { return nbytes_; }

protected:
    Linear(const WeightView& w) : in_(w.in), out_(w.out), type_(w.type), nbytes_(w.nbytes) {}
    int64_t in_, out_;
    GgmlType type_;
    uint64_t nbytes_;
};

// Builds the layer for w's type. output_scale multiplies every output (the optional one-element
// ".scale" tensors of the bitnet architecture); 1 when absent. Throws tern::Error naming the
// tensor if its type cannot be used as a linear layer or its row length does not fit the type.
std::unique_ptr<Linear> make_linear(const WeightView& w, float output_scale = 1.0f);

}  // namespace tern
