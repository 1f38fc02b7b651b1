// Ternary linear layers (I2_S, TQ2_0, TQ1_0): see engine/model/linear.h.
#include "engine/model/linear_detail.h"

#include "engine/error.h"
#include "engine/gguf/mapped_file.h"
#include "engine/model/thread_pool.h"
#include "kernels/act_quant.h"
#include "kernels/dispatch.h"
#include "kernels/ternary_dot.h"
#include "kernels/ternary_formats.h"
#include "kernels/ternary_gemm.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace tern::linear_detail {
namespace {

// Ternary weights x int8 activations. Each token's activations are quantised once and shared by
// all rows; the kernels return one exact integer dot per row and token, scaled back to float.
class TernaryLinear final : public Linear {
public:
    TernaryLinear(const WeightView& w, float output_scale, const LinearOptions& o) : Linear(w), data_(w.data) {
        tensor_scale_ = output_scale;
        if (type_ == GgmlType::I2_S) {
            float s;  // bitnet.cpp keeps one float scale per tensor, right after the packed rows
            std::memcpy(&s, w.data + (uint64_t)in_ * out_ / 4, sizeof s);
            tensor_scale_ *= s;
        }
        const int64_t groups = (out_ + 3) / 4;
        if (o.repack && type_ == GgmlType::I2_S) {
            own(kernels::i2s_r4_nbytes(out_, in_));
            consume_in_slices(o, w.data, groups, 16, (uint64_t)in_, (uint64_t)in_ * out_ / 4, [&](int64_t g0, int64_t g1) {
                kernels::i2s_repack_r4(w.data, out_, in_, owned_->data(), g0, g1);
            });
        } else if (o.repack && type_ == GgmlType::TQ2_0 && kernels::tq2_0_uniform_scale(w.data, out_, in_, &w_scale_)) {
            own(kernels::i2s_r4_nbytes(out_, in_));
            maybe_parallel(o.pool, groups, 16, [&](int64_t g0, int64_t g1) {
                kernels::tq2_0_repack_r4(w.data, out_, in_, owned_->data(), g0, g1);
            });
        } else if (o.repack && type_ == GgmlType::TQ1_0 && kernels::tq1_0_uniform_scale(w.data, out_, in_, &w_scale_)) {
            own(kernels::i2s_r4_nbytes(out_, in_));
            maybe_parallel(o.pool, groups, 16, [&](int64_t g0, int64_t g1) {
                kernels::tq1_0_repack_r4(w.data, out_, in_, owned_->data(), g0, g1);
            });
        } else if (type_ != GgmlType::I2_S) {
            reference_ = true;  // per-block scales differ: the reference kernels handle those
            if (o.repack) {     // the caller was promised a copy
                owned_ = std::make_unique<WeightBuffer>(w.nbytes);
                std::memcpy(owned_->data(), w.data, w.nbytes);
                data_ = owned_->data();
            }
        }
        row_bytes_ = ggml_row_bytes(type_, in_);
    }

    void forward(const float* x, float* y, int n_tokens, ThreadPool& pool) const override {
        const kernels::KernelTable& kt = kernels::active_kernels();
        Scratch& s = scratch();
        s.q.resize((size_t)n_tokens * in_);
        s.qsum.resize(n_tokens);
        s.factor.resize(n_tokens);
        // Per token, so a prompt chunk's quantisation is split between the threads too.
        pool.parallel_for(n_tokens, [&](int64_t t0, int64_t t1) {
            for (int64_t t = t0; t < t1; ++t) {
                const kernels::ActQuant aq = kt.quantize_act_i8(x + t * in_, s.q.data() + t * in_, in_);
                s.qsum[t] = aq.sum;
                s.factor[t] = tensor_scale_ / aq.scale;
            }
        });
        if (reference_) {
            pool.parallel_for(out_, [&](int64_t r0, int64_t r1) { forward_reference(s, y, n_tokens, r0, r1); }, kRowGranule);
            return;
        }
        kernels::TernaryGemm g;
        g.layout = layout_;
        g.w = data_;
        g.rows = out_;
        g.k = in_;
        g.w_scale = w_scale_;
        g.q = s.q.data();
        g.qsum = s.qsum.data();
        g.factor = s.factor.data();
        g.n_tokens = n_tokens;
        g.y = y;
        g.ldy = out_;
        pool.parallel_for(out_, [&](int64_t r0, int64_t r1) { kt.ternary_gemm(g, r0, r1); }, kRowGranule);
    }

    void dequantize_row(int64_t r, float* dst) const override {
        std::vector<int8_t> t(in_);
        if (type_ == GgmlType::I2_S || layout_ == kernels::TernaryLayout::I2S_R4) {
            // Gather the row's 32-byte blocks into the file layout (plus the tail unpack reads).
            std::vector<uint8_t> tmp(in_ / 4 + 32, 0);
            for (int64_t b = 0; b < in_ / 128; ++b) {
                const uint8_t* blk = layout_ == kernels::TernaryLayout::I2S_R4
                                         ? data_ + (r / 4) * in_ + b * 128 + (r % 4) * 32
                                         : data_ + r * row_bytes_ + b * 32;
                std::memcpy(tmp.data() + b * 32, blk, 32);
            }
            kernels::i2s_unpack(tmp.data(), in_, t.data());
            const float s = w_scale_ * tensor_scale_;
            for (int64_t i = 0; i < in_; ++i) dst[i] = t[i] * s;
            return;
        }
        const uint8_t* row = data_ + r * row_bytes_;
        std::vector<float> d(in_ / 256);
        if (type_ == GgmlType::TQ2_0) kernels::tq2_0_unpack(row, in_, t.data(), d.data());
        else kernels::tq1_0_unpack(row, in_, t.data(), d.data());
        for (int64_t i = 0; i < in_; ++i) dst[i] = t[i] * d[i / 256] * tensor_scale_;
    }

    const uint8_t* weight_data() const override { return data_; }

private:
    void own(uint64_t n) {
        owned_ = std::make_unique<WeightBuffer>(n);
        data_ = owned_->data();
        layout_ = kernels::TernaryLayout::I2S_R4;
        nbytes_ = n;
    }

    // TQ2_0 / TQ1_0 with differing block scales: one reference dot per row and token.
    void forward_reference(const Scratch& s, float* y, int n_tokens, int64_t r0, int64_t r1) const {
        for (int64_t r = r0; r < r1; ++r) {
            const uint8_t* row = data_ + r * row_bytes_;
            for (int t = 0; t < n_tokens; ++t) {
                const int8_t* qt = s.q.data() + (size_t)t * in_;
                const float dot = type_ == GgmlType::TQ2_0 ? kernels::tq2_0_dot_i8(row, qt, in_)
                                                           : kernels::tq1_0_dot_i8(row, qt, in_);
                y[(size_t)t * out_ + r] = dot * s.factor[t];
            }
        }
    }

    const uint8_t* data_;
    std::unique_ptr<WeightBuffer> owned_;
    kernels::TernaryLayout layout_ = kernels::TernaryLayout::I2S;
    bool reference_ = false;
    uint64_t row_bytes_ = 0;
    float w_scale_ = 1.0f;       // a TQ tensor's one block scale (I2S_R4 from TQ), else 1
    float tensor_scale_ = 1.0f;  // I2_S per-tensor scale times the optional output scale
};

}  // namespace

std::unique_ptr<Linear> make_ternary_linear(const WeightView& w, float output_scale, const LinearOptions& o) {
    return std::make_unique<TernaryLinear>(w, output_scale, o);
}

}  // namespace tern::linear_detail
