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

class MappedFileReader;
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
    // Set when `data` lies in a file mapping whose pages the layer may drop (not a mapping the
    // user asked to compute from): a layer that computes from the mapping in place then reads
    // scattered rows (screened candidates, embedding lookups) through the file, so that they do
    // not make the matrix resident (engine/gguf/mapped_file.h, MappedFileReader).
    std::shared_ptr<const MappedFileReader> reader;
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
    // F16 weights (the output matrix): also build a Q8_0 screening copy and per-row error norms
    // (see "Output screening" below). Ignored for other types, with requantize_q8, or when an
    // output scale other than 1 applies.
    bool screen = false;
};

// Output screening (issue 15): bounds on one token's outputs from an 8-bit copy of the matrix.
// For row r, with x the float input, w the F16 row, wq its Q8_0 copy, xq = Q8_0(x) (what the
// Q8_0 kernel multiplies), and y_f / y_q the values the F16 and Q8_0 kernels return:
//   x·w - xq·wq = x·(w - wq) + (x - xq)·wq, so by Cauchy-Schwarz, for exact arithmetic,
//     |x·w - xq·wq| <= ||x||·||w - wq|| + ||x - xq||·||wq||.
//   Each kernel's float rounding, in any summation order, with or without FMA (every product
//   goes through at most k roundings: one for the product or the d_w·d_x scale, at most k-1
//   additions; Higham, Accuracy and Stability, §3.1), with u = 2^-24 and g = k·u / (1 - k·u):
//     |y_f - x·w| <= g·Σ|x_i w_i| <= g·||x||·||w||,  |y_q - xq·wq| <= g·Σ|xq_i wq_i| <= g·||xq||·||wq||
//   (Q8_0: the int32 block sums are exact, so each block term is d_w·d_x·isum with d_w·d_x
//   rounded once and one rounding per accumulation.)
//   So |y_f - y_q| <= ||x||·A + ||x - xq||·B + g·(||x||·C + ||xq||·B) + k·2^-120 (underflow)
//   with A = ||w - wq||, B = ||wq||, C = ||w|| precomputed per row (in double, rounded up to
//   float). Norms of x are computed in double and inflated by 1e-9 relative (their own rounding
//   is ~k·2^-53); the bound as a whole is inflated by 2^-20 relative, and lo/hi move out by a
//   further 2^-22·(|y_q| + bound) before they are rounded to float, which covers that rounding.
// Non-finite weights disable screening for the layer; a non-finite bound makes the caller fall
// back to the full pass.
struct ScreenBounds {
    float* lo = nullptr;  // out() floats each
    float* hi = nullptr;
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

    // Output screening (see ScreenBounds). True if the layer holds a screening copy.
    virtual bool can_screen() const { return false; }
    // For ONE token x: lo[r] <= forward(x)[r] <= hi[r] for every row, from the 8-bit copy.
    // Returns false (bounds unusable: fall back to forward()) if any bound is not finite.
    virtual bool screen(const float*, const ScreenBounds&, ThreadPool&) const { return false; }
    // For ONE token x: y[r] for each listed row, bit-identical to forward(x)[r] (the same kernel
    // over the same row group). May also write y at other rows of those rows' groups; y holds
    // out() floats.
    virtual void forward_rows(const float* x, const int32_t* rows, int64_t n_rows, float* y, ThreadPool& pool) const;
    // Bytes of the screening copy and its norms (0 without one).
    virtual uint64_t screen_bytes() const { return 0; }

protected:
    Linear(const WeightView& w) : in_(w.in), out_(w.out), type_(w.type), nbytes_(w.nbytes) {}
    int64_t in_, out_;
    GgmlType type_;
    uint64_t nbytes_;
};

// Memory for weights the engine streams every token: 2 MiB aligned and, on Linux, backed by
// transparent huge pages where they are free for the taking (engine/model/huge_pages.h). Used by
// layers that own their weights, by the model's weight copy, and by tern-bench's bandwidth test
// so that it reads the same memory kind.
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

// True if make_linear(w, output_scale, options) with options.screen builds a screening copy
// (F16 weights, rows a multiple of 32, no requantisation, output scale 1).
bool linear_screenable(const WeightView& w, const LinearOptions& options, float output_scale = 1.0f);

// Builds the layer for w's type. output_scale multiplies every output (the optional one-element
// ".scale" tensors of the bitnet architecture); 1 when absent. Throws tern::Error naming the
// tensor if its type cannot be used as a linear layer or its row length does not fit the type.
std::unique_ptr<Linear> make_linear(const WeightView& w, float output_scale = 1.0f,
                                    const LinearOptions& options = {});

}  // namespace tern
