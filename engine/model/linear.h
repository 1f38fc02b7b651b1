#pragma once
// A linear layer y = W x, reached through one interface whatever W's storage type is. The model
// code never looks at weight types: it calls forward(); which kernel runs is decided here, once,
// when the layer is built, and the instruction-set level per call (kernels/dispatch.h). Ternary
// weights quantise activations to int8 per token (absmax, as BitNet was trained); float weights
// multiply in float; Q8_0 weights take Q8_0-quantised activations (all-integer inner loop).
#include "engine/gguf/ggml_type.h"

#include <cstdint>
#include <memory>
#include <string>

namespace tern {

class ThreadPool;

// Weights of one 2-D tensor: ne0 = in (row length), ne1 = out (rows). `data` must outlive the
// layer unless the layer makes its own copy (linear_owns_weights).
struct WeightView {
    std::string name;
    GgmlType type = GgmlType::F32;
    int64_t in = 0;
    int64_t out = 0;
    const uint8_t* data = nullptr;
    uint64_t nbytes = 0;
};

// Load-time transformations. Both copy the weights into memory the layer owns.
struct LinearOptions {
    // Ternary weights (I2_S; TQ2_0/TQ1_0 whose blocks share one scale) and F16 matrices are
    // repacked into the kernels' row-interleaved layouts (kernels/ternary_gemm.h,
    // kernels/float_gemm.h). Off: compute from `data` as it is, the file's own layout (e.g.
    // straight from a memory mapping).
    bool repack = false;
    // Float weights (F16, BF16, F32) are requantised to Q8_0: half the bytes of F16 per token,
    // at a small accuracy cost (the opt-in 8-bit output matrix).
    bool requantize_q8 = false;
    // Spreads the repack / requantisation over threads; optional.
    ThreadPool* pool = nullptr;
    // WeightView::data lies in a read-only file mapping: while repacking / requantising, release
    // its pages slice by slice as they are consumed (release_mapped_pages), so that a large
    // matrix (2B4T's 0.66 GB output matrix) is never held twice, not even during its own copy.
    bool release_source = false;
};

class Linear {
public:
    virtual ~Linear() = default;
    int64_t in() const { return in_; }
    int64_t out() const { return out_; }
    // The type computed with (Q8_0 after requantisation).
    GgmlType type() const { return type_; }

    // x: n_tokens rows of in() floats; y: n_tokens rows of out() floats.
    virtual void forward(const float* x, float* y, int n_tokens, ThreadPool& pool) const = 0;
    // Row r of W as floats (embedding lookup, reference tests).
    virtual void dequantize_row(int64_t r, float* dst) const = 0;
    // Bytes of weights one forward() over one token reads (in the layout actually used).
    uint64_t weight_bytes() const { return nbytes_; }
    // The weights computed from: the layer's own memory if it repacked or requantised them, else
    // WeightView::data (tests check which).
    virtual const uint8_t* weight_data() const = 0;

protected:
    Linear(const WeightView& w) : in_(w.in), out_(w.out), type_(w.type), nbytes_(w.nbytes) {}
    int64_t in_, out_;
    GgmlType type_;
    uint64_t nbytes_;
};

// Memory for weights the engine streams every token: 2 MiB aligned and, on Linux with
// TERN_HUGEPAGES=1, backed by transparent huge pages (fewer TLB misses: a single stream read
// ~10% faster on the development machine, but first-touch page faults can stall for seconds
// while the kernel compacts memory, hence opt-in). Used by layers that own their weights, by the
// model's weight copy, and by tern-bench's bandwidth test so that it reads the same memory kind.
class WeightBuffer {
public:
    explicit WeightBuffer(uint64_t n);  // throws tern::Error if out of memory
    ~WeightBuffer();
    WeightBuffer(const WeightBuffer&) = delete;
    WeightBuffer& operator=(const WeightBuffer&) = delete;
    uint8_t* data() const { return data_; }

private:
    uint8_t* data_ = nullptr;
};

// True if make_linear(w, ..., options) copies the weights (repacks or requantises them), so that
// w.data need only be valid during that call and the caller need not keep a copy.
bool linear_owns_weights(const WeightView& w, const LinearOptions& options);

// Builds the layer for w's type. output_scale multiplies every output (the optional one-element
// ".scale" tensors of the bitnet architecture); 1 when absent. Throws tern::Error naming the
// tensor if its type cannot be used as a linear layer or its row length does not fit the type.
std::unique_ptr<Linear> make_linear(const WeightView& w, float output_scale = 1.0f,
                                    const LinearOptions& options = {});

}  // namespace tern
