#include "engine/linear.h"

#include "engine/error.h"
#include "engine/thread_pool.h"
#include "kernels/act_quant.h"
#include "kernels/float_dot.h"
#include "kernels/fp16.h"
#include "kernels/ternary_dot.h"
#include "kernels/ternary_formats.h"

#include <cstring>
#include <vector>

namespace tern {
namespace {

// Output rows are handed to threads in chunks of this many, so two threads never write to the
// same cache line of y and each keeps a run of weight rows streaming from memory.
constexpr int64_t kRowGranule = 16;

// Ternary weights x int8 activations. The activation quantisation of each token is done once and
// shared by all rows; each row's integer dot product is scaled back to float at the end.
class TernaryLinear final : public Linear {
public:
    TernaryLinear(const WeightView& w, float output_scale) : Linear(w), data_(w.data) {
        row_bytes_ = ggml_row_bytes(type_, in_);
        if (type_ == GgmlType::I2_S) {
            // bitnet.cpp keeps one float scale per tensor, right after the packed rows.
            std::memcpy(&tensor_scale_, data_ + (uint64_t)in_ * out_ / 4, sizeof(float));
        }
        tensor_scale_ *= output_scale;
    }

    void forward(const float* x, float* y, int n_tokens, ThreadPool& pool) const override {
        std::vector<int8_t> q((size_t)n_tokens * in_);
        std::vector<float> inv_scale(n_tokens);
        for (int t = 0; t < n_tokens; ++t) {
            kernels::ActQuant aq = kernels::quantize_act_i8(x + (size_t)t * in_, q.data() + (size_t)t * in_, in_);
            inv_scale[t] = tensor_scale_ / aq.scale;
        }
        pool.parallel_for(out_, [&](int64_t r0, int64_t r1) {
            for (int64_t r = r0; r < r1; ++r) {
                const uint8_t* row = data_ + r * row_bytes_;
                for (int t = 0; t < n_tokens; ++t) {
                    const int8_t* qt = q.data() + (size_t)t * in_;
                    float dot;
                    switch (type_) {
                        case GgmlType::I2_S: dot = (float)kernels::i2s_dot_i8(row, qt, in_); break;
                        case GgmlType::TQ2_0: dot = kernels::tq2_0_dot_i8(row, qt, in_); break;
                        default: dot = kernels::tq1_0_dot_i8(row, qt, in_); break;
                    }
                    y[(size_t)t * out_ + r] = dot * inv_scale[t];
                }
            }
        }, kRowGranule);
    }

    void dequantize_row(int64_t r, float* dst) const override {
        std::vector<int8_t> t(in_);
        const uint8_t* row = data_ + r * row_bytes_;
        if (type_ == GgmlType::I2_S) {
            std::vector<uint8_t> tmp(row_bytes_ + 32, 0);  // unpack wants the tail too
            std::memcpy(tmp.data(), row, row_bytes_);
            kernels::i2s_unpack(tmp.data(), in_, t.data());
            for (int64_t i = 0; i < in_; ++i) dst[i] = t[i] * tensor_scale_;
            return;
        }
        std::vector<float> d(in_ / 256);
        if (type_ == GgmlType::TQ2_0) kernels::tq2_0_unpack(row, in_, t.data(), d.data());
        else kernels::tq1_0_unpack(row, in_, t.data(), d.data());
        for (int64_t i = 0; i < in_; ++i) dst[i] = t[i] * d[i / 256] * tensor_scale_;
    }

private:
    const uint8_t* data_;
    uint64_t row_bytes_ = 0;
    float tensor_scale_ = 1.0f;  // I2_S per-tensor scale times the optional output scale
};

// Float (and Q8_0) weights x float activations.
class FloatLinear final : public Linear {
public:
    FloatLinear(const WeightView& w, float output_scale)
        : Linear(w), data_(w.data), row_bytes_(ggml_row_bytes(w.type, w.in)), output_scale_(output_scale) {}

    void forward(const float* x, float* y, int n_tokens, ThreadPool& pool) const override {
        pool.parallel_for(out_, [&](int64_t r0, int64_t r1) {
            for (int64_t r = r0; r < r1; ++r) {
                const uint8_t* row = data_ + r * row_bytes_;
                for (int t = 0; t < n_tokens; ++t)
                    y[(size_t)t * out_ + r] = dot(row, x + (size_t)t * in_) * output_scale_;
            }
        }, kRowGranule);
    }

    void dequantize_row(int64_t r, float* dst) const override {
        const uint8_t* row = data_ + r * row_bytes_;
        switch (type_) {
            case GgmlType::F32: std::memcpy(dst, row, in_ * sizeof(float)); break;
            case GgmlType::F16: kernels::fp16_to_f32_row(reinterpret_cast<const uint16_t*>(row), dst, in_); break;
            case GgmlType::BF16:
                for (int64_t i = 0; i < in_; ++i) dst[i] = kernels::bf16_to_f32(reinterpret_cast<const uint16_t*>(row)[i]);
                break;
            default: kernels::q8_0_dequant(row, in_, dst); break;
        }
        if (output_scale_ != 1.0f)
            for (int64_t i = 0; i < in_; ++i) dst[i] *= output_scale_;
    }

private:
    float dot(const uint8_t* row, const float* x) const {
        switch (type_) {
            case GgmlType::F32: return kernels::dot_f32(reinterpret_cast<const float*>(row), x, in_);
            case GgmlType::F16: return kernels::dot_f16_f32(reinterpret_cast<const uint16_t*>(row), x, in_);
            case GgmlType::BF16: return kernels::dot_bf16_f32(reinterpret_cast<const uint16_t*>(row), x, in_);
            default: return kernels::dot_q8_0_f32(row, x, in_);
        }
    }

    const uint8_t* data_;
    uint64_t row_bytes_;
    float output_scale_;
};

}  // namespace

std::unique_ptr<Linear> make_linear(const WeightView& w, float output_scale) {
    if (w.in <= 0 || w.out <= 0 || !w.data)
        throw Error("tensor '" + w.name + "': empty weight matrix");
    if (w.in % ggml_type_block_size(w.type) != 0)
        throw Error("tensor '" + w.name + "': row length " + std::to_string(w.in) + " is not a multiple of " +
                    std::to_string(ggml_type_block_size(w.type)) + " as type " + ggml_type_name(w.type) + " needs");
    if (ggml_type_is_ternary(w.type)) return std::make_unique<TernaryLinear>(w, output_scale);
    return std::make_unique<FloatLinear>(w, output_scale);
}

}  // namespace tern
