// Float linear layers (F16, BF16, F32, Q8_0) and output screening: see engine/model/linear.h.
#include "engine/model/linear_detail.h"

#include "engine/error.h"
#include "engine/gguf/mapped_file.h"
#include "engine/model/thread_pool.h"
#include "kernels/dispatch.h"
#include "kernels/float_dot.h"
#include "kernels/float_gemm.h"
#include "kernels/fp16.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <vector>

namespace tern::linear_detail {
namespace {

// Float (and Q8_0) weights. F16/F32 multiply float activations; Q8_0 quantises each token's
// activations to Q8_0 once and runs an all-integer inner loop (as llama.cpp does).
class FloatLinear final : public Linear {
public:
    FloatLinear(const WeightView& w, float output_scale, const LinearOptions& o)
        : Linear(w), data_(w.data), output_scale_(output_scale) {
        if (o.screen && screenable(w, o, output_scale)) build_screen(w, o);
        if (o.requantize_q8 && requantizable(w)) {
            type_ = GgmlType::Q8_0;
            nbytes_ = ggml_row_bytes(GgmlType::Q8_0, in_) * (uint64_t)out_;
            owned_ = std::make_unique<WeightBuffer>(nbytes_);
            const uint64_t src_row = ggml_row_bytes(w.type, in_), dst_row = ggml_row_bytes(type_, in_);
            const kernels::KernelTable& kt = kernels::active_kernels();  // same bytes at every level
            const uint64_t src_row_bytes = ggml_row_bytes(w.type, in_);
            consume_in_slices(o, w.data, out_, 64, src_row_bytes, w.nbytes, [&](int64_t r0, int64_t r1) {
                std::vector<float> row(in_);
                for (int64_t r = r0; r < r1; ++r) {
                    const uint8_t* src = w.data + r * src_row;
                    if (w.type == GgmlType::F16) kt.fp16_to_f32_row(reinterpret_cast<const uint16_t*>(src), row.data(), in_);
                    else to_float(w.type, src, row.data(), in_);
                    kt.q8_0_quantize(row.data(), in_, owned_->data() + r * dst_row);
                }
            });
            data_ = owned_->data();
        } else if (o.repack && f16_repackable(w)) {
            // Four rows interleaved (kernels/float_gemm.h): one stream for the 4-row kernel.
            layout_ = kernels::FloatLayout::R4;
            nbytes_ = kernels::f16_r4_nbytes(out_, in_);
            owned_ = std::make_unique<WeightBuffer>(nbytes_);
            consume_in_slices(o, w.data, (out_ + 3) / 4, 64, 4 * 2 * (uint64_t)in_, w.nbytes, [&](int64_t g0, int64_t g1) {
                kernels::f16_repack_r4(reinterpret_cast<const uint16_t*>(w.data), out_, in_,
                                       reinterpret_cast<uint16_t*>(owned_->data()), g0, g1);
            });
            data_ = owned_->data();
        }
        row_bytes_ = ggml_row_bytes(type_, in_);
        if (!owned_ && layout_ == kernels::FloatLayout::Rows) reader_ = w.reader;
    }

    // Builds the Q8_0 screening copy and the row norms A, B, C of ScreenBounds (linear.h) from
    // the F16 rows in the file's layout. Called before any repack (which releases the source).
    void build_screen(const WeightView& w, const LinearOptions& o) {
        const uint64_t q_row = ggml_row_bytes(GgmlType::Q8_0, in_);
        screen_q8_ = std::make_unique<WeightBuffer>(q_row * (uint64_t)out_);
        norm_a_.resize(out_);
        norm_b_.resize(out_);
        norm_c_.resize(out_);
        const kernels::KernelTable& kt = kernels::active_kernels();  // same bytes at every level
        std::atomic<bool> finite{true};
        // Rounded up to float: v·(1 + 2^-20) exceeds v by more than float's rounding (2^-24
        // relative), and 2^-140 by more than its absolute rounding below float's normal range.
        auto up = [](double v) { return (float)(v * (1.0 + 0x1p-20) + 0x1p-140); };
        consume_in_slices(o, w.data, out_, 64, 2 * (uint64_t)in_, w.nbytes, [&](int64_t r0, int64_t r1) {
            std::vector<float> row(in_), deq(in_);
            for (int64_t r = r0; r < r1; ++r) {
                kt.fp16_to_f32_row(reinterpret_cast<const uint16_t*>(w.data) + r * in_, row.data(), in_);
                uint8_t* q = screen_q8_->data() + r * q_row;
                kt.q8_0_quantize(row.data(), in_, q);
                kernels::q8_0_dequant(q, in_, deq.data());  // d·q: exact in float
                double a = 0, b = 0, c = 0;
                for (int64_t i = 0; i < in_; ++i) {
                    const double wi = row[i], qi = deq[i], d = wi - qi;  // exact in double
                    a += d * d;
                    b += qi * qi;
                    c += wi * wi;
                }
                // Sums of squares in double: relative error <= k·2^-53, far inside the 2^-20.
                a = std::sqrt(a) * (1 + 1e-9);
                b = std::sqrt(b) * (1 + 1e-9);
                c = std::sqrt(c) * (1 + 1e-9);
                norm_a_[r] = up(a);
                norm_b_[r] = up(b);
                norm_c_[r] = up(c);
                if (!std::isfinite(norm_a_[r]) || !std::isfinite(norm_b_[r]) || !std::isfinite(norm_c_[r]))
                    finite = false;
            }
        });
        if (!finite) {  // inf/NaN weights: no rigorous bound, the layer is never screened
            screen_q8_.reset();
            norm_a_.clear();
            norm_b_.clear();
            norm_c_.clear();
        }
    }

    bool can_screen() const override { return screen_q8_ != nullptr; }

    uint64_t screen_bytes() const override {
        return screen_q8_ ? ggml_row_bytes(GgmlType::Q8_0, in_) * (uint64_t)out_ + 12 * (uint64_t)out_ : 0;
    }

    bool screen(const float* x, const ScreenBounds& b, ThreadPool& pool) const override {
        if (!screen_q8_) return false;
        const kernels::KernelTable& kt = kernels::active_kernels();
        Scratch& s = scratch();
        const uint64_t q_row = ggml_row_bytes(GgmlType::Q8_0, in_);
        s.q8.resize(q_row);
        s.f.resize(in_);
        kt.q8_0_quantize(x, in_, s.q8.data());
        kernels::q8_0_dequant(s.q8.data(), in_, s.f.data());  // xq exactly as the kernel sees it
        double sx = 0, sxq = 0, sdx = 0;
        for (int64_t i = 0; i < in_; ++i) {
            const double xi = x[i], qi = s.f[i], d = xi - qi;
            sx += xi * xi;
            sxq += qi * qi;
            sdx += d * d;
        }
        const double X = std::sqrt(sx) * (1 + 1e-9), XQ = std::sqrt(sxq) * (1 + 1e-9), DX = std::sqrt(sdx) * (1 + 1e-9);
        if (!std::isfinite(X) || !std::isfinite(XQ) || !std::isfinite(DX)) return false;
        const double k = (double)in_, u = 0x1p-24;
        if (k * u >= 0.5) return false;  // rows of 2^23 values: the bound below needs k·u < 1
        const double g = k * u / (1 - k * u);
        // bound_r = X·A_r + (DX + g·XQ)·B_r + g·X·C_r + k·2^-120
        const double ca = X, cb = DX + g * XQ, cc = g * X, tiny = k * 0x1p-120;
        kernels::Q8Gemm q;
        q.f.layout = kernels::FloatLayout::Rows;
        q.f.w = screen_q8_->data();
        q.f.rows = out_;
        q.f.k = in_;
        q.f.scale = 1.0f;
        q.f.n_tokens = 1;
        q.f.y = b.lo;
        q.f.ldy = out_;
        q.xq = s.q8.data();
        std::atomic<bool> finite{true};
        pool.parallel_for(out_, [&](int64_t r0, int64_t r1) {
            kt.q8_0_gemm(q, r0, r1);
            bool ok = true;
            for (int64_t r = r0; r < r1; ++r) {
                const double yq = b.lo[r];
                const double bound = (ca * norm_a_[r] + cb * norm_b_[r] + cc * norm_c_[r] + tiny) * (1 + 0x1p-20);
                // Moved out by more than the rounding of the double results to float.
                const double m = bound + 0x1p-22 * (std::fabs(yq) + bound);
                const float lo = (float)(yq - m), hi = (float)(yq + m);
                b.lo[r] = lo;
                b.hi[r] = hi;
                ok &= std::isfinite(lo) && std::isfinite(hi);
            }
            if (!ok) finite = false;
        }, kRowGranule);
        return finite;
    }

    void forward_rows(const float* x, const int32_t* rows, int64_t n_rows, float* y, ThreadPool& pool) const override {
        if (type_ != GgmlType::F16) return Linear::forward_rows(x, rows, n_rows, y, pool);
        if (reader_) return forward_rows_read(x, rows, n_rows, y, pool);
        // The F16 kernel's arithmetic for a row depends only on that row (float_simd.h), but the
        // R4 layout is read a whole group of four rows at a time: compute each listed row's group.
        const int64_t span = layout_ == kernels::FloatLayout::R4 ? 4 : 1;
        Scratch& s = scratch();
        std::vector<int32_t>& units = s.qsum;  // group starts, ascending, distinct
        units.clear();
        for (int64_t i = 0; i < n_rows; ++i) {
            const int32_t start = (int32_t)(rows[i] / span * span);
            if (units.empty() || units.back() != start) units.push_back(start);
        }
        const kernels::KernelTable& kt = kernels::active_kernels();
        const kernels::FloatGemm g = gemm_args(x, y, 1);
        pool.parallel_for((int64_t)units.size(), [&](int64_t u0, int64_t u1) {
            for (int64_t u = u0; u < u1; ++u) kt.f16_gemm(g, units[u], std::min<int64_t>(out_, units[u] + span));
        });
    }

    // forward_rows for a matrix used in place from a mapping: the listed rows are read through the
    // file into a compact matrix (no page of the mapping touched) and computed there. The F16
    // kernel's arithmetic for a row depends only on that row (float_simd.h), so each value is
    // bit-identical to the full pass. A full pass since the last call left the whole mapping
    // resident: released first, so that one fallback step does not keep 0.66 GB resident.
    void forward_rows_read(const float* x, const int32_t* rows, int64_t n_rows, float* y, ThreadPool& pool) const {
        if (mapping_touched_.exchange(false, std::memory_order_relaxed)) release_mapped_pages(data_, nbytes_);
        Scratch& s = scratch();
        s.rows.resize((size_t)n_rows * row_bytes_);
        s.f.resize((size_t)n_rows);
        const kernels::KernelTable& kt = kernels::active_kernels();
        kernels::FloatGemm g = gemm_args(x, s.f.data(), 1);
        g.w = s.rows.data();
        g.rows = n_rows;
        g.ldy = n_rows;
        uint8_t* buf = s.rows.data();
        pool.parallel_for(n_rows, [&](int64_t i0, int64_t i1) {
            for (int64_t i = i0; i < i1; ++i) read_row(rows[i], buf + i * row_bytes_);
            kt.f16_gemm(g, i0, i1);
        });
        for (int64_t i = 0; i < n_rows; ++i) y[rows[i]] = s.f[i];
    }

    // Row r's bytes in the file's layout, through the file when there is a reader.
    void read_row(int64_t r, uint8_t* dst) const {
        const uint8_t* src = data_ + r * row_bytes_;
        if (!reader_ || !reader_->read(src, row_bytes_, dst)) std::memcpy(dst, src, row_bytes_);
    }

    // The kernel arguments for y = W x over n_tokens (one place for the full and the screened pass).
    kernels::FloatGemm gemm_args(const float* x, float* y, int n_tokens) const {
        kernels::FloatGemm g;
        g.layout = layout_;
        g.w = data_;
        g.rows = out_;
        g.k = in_;
        g.scale = output_scale_;
        g.x = x;
        g.n_tokens = n_tokens;
        g.y = y;
        g.ldy = out_;
        return g;
    }

    static bool screenable(const WeightView& w, const LinearOptions& o, float output_scale) {
        return w.type == GgmlType::F16 && !o.requantize_q8 && output_scale == 1.0f && w.in % kernels::kQ8_0Block == 0;
    }

    static bool f16_repackable(const WeightView& w) { return w.type == GgmlType::F16 && w.in % 16 == 0; }

    static bool requantizable(const WeightView& w) {
        return (w.type == GgmlType::F16 || w.type == GgmlType::BF16 || w.type == GgmlType::F32) &&
               w.in % kernels::kQ8_0Block == 0;
    }

    void forward(const float* x, float* y, int n_tokens, ThreadPool& pool) const override {
        const kernels::KernelTable& kt = kernels::active_kernels();
        const kernels::FloatGemm g = gemm_args(x, y, n_tokens);
        if (reader_) mapping_touched_.store(true, std::memory_order_relaxed);
        switch (type_) {
            case GgmlType::F16:
                pool.parallel_for(out_, [&](int64_t r0, int64_t r1) { kt.f16_gemm(g, r0, r1); }, kRowGranule);
                return;
            case GgmlType::F32:
                pool.parallel_for(out_, [&](int64_t r0, int64_t r1) { kt.f32_gemm(g, r0, r1); }, kRowGranule);
                return;
            case GgmlType::Q8_0: {
                Scratch& s = scratch();
                s.q8.resize((size_t)n_tokens * row_bytes_);
                for (int t = 0; t < n_tokens; ++t) kt.q8_0_quantize(x + (size_t)t * in_, in_, s.q8.data() + t * row_bytes_);
                kernels::Q8Gemm q{g, s.q8.data()};
                pool.parallel_for(out_, [&](int64_t r0, int64_t r1) { kt.q8_0_gemm(q, r0, r1); }, kRowGranule);
                return;
            }
            default:  // BF16: rare, the reference dot
                pool.parallel_for(out_, [&](int64_t r0, int64_t r1) {
                    for (int64_t r = r0; r < r1; ++r)
                        for (int t = 0; t < n_tokens; ++t)
                            y[(size_t)t * out_ + r] =
                                kernels::dot_bf16_f32(reinterpret_cast<const uint16_t*>(data_ + r * row_bytes_),
                                                      x + (size_t)t * in_, in_) * output_scale_;
                }, kRowGranule);
        }
    }

    void dequantize_row(int64_t r, float* dst) const override {
        if (reader_) {  // a tied embedding's lookup: one row, not the folio around it
            std::vector<uint8_t> row(row_bytes_);
            read_row(r, row.data());
            to_float(type_, row.data(), dst, in_);
        } else if (layout_ == kernels::FloatLayout::R4) {
            std::vector<uint16_t> row(in_);
            kernels::f16_r4_row(reinterpret_cast<const uint16_t*>(data_), in_, r, row.data());
            to_float(type_, reinterpret_cast<const uint8_t*>(row.data()), dst, in_);
        } else {
            to_float(type_, data_ + r * row_bytes_, dst, in_);
        }
        if (output_scale_ != 1.0f)
            for (int64_t i = 0; i < in_; ++i) dst[i] *= output_scale_;
    }

    const uint8_t* weight_data() const override { return data_; }

private:
    static void to_float(GgmlType type, const uint8_t* row, float* dst, int64_t n) {
        switch (type) {
            case GgmlType::F32: std::memcpy(dst, row, n * sizeof(float)); break;
            case GgmlType::F16: kernels::fp16_to_f32_row(reinterpret_cast<const uint16_t*>(row), dst, n); break;
            case GgmlType::BF16:
                for (int64_t i = 0; i < n; ++i) dst[i] = kernels::bf16_to_f32(reinterpret_cast<const uint16_t*>(row)[i]);
                break;
            default: kernels::q8_0_dequant(row, n, dst); break;
        }
    }

    const uint8_t* data_;
    std::unique_ptr<WeightBuffer> owned_;
    kernels::FloatLayout layout_ = kernels::FloatLayout::Rows;
    uint64_t row_bytes_ = 0;
    float output_scale_;
    // Output screening: the Q8_0 copy (rows in order) and per-row ||w - wq||, ||wq||, ||w||.
    std::unique_ptr<WeightBuffer> screen_q8_;
    std::vector<float> norm_a_, norm_b_, norm_c_;
    // Used in place from a mapping: scattered rows are read through the file (WeightView::reader),
    // and a full pass marks the mapping resident until the next sparse read releases it.
    std::shared_ptr<const MappedFileReader> reader_;
    mutable std::atomic<bool> mapping_touched_{false};
};

}  // namespace

std::unique_ptr<Linear> make_float_linear(const WeightView& w, float output_scale, const LinearOptions& o) {
    return std::make_unique<FloatLinear>(w, output_scale, o);
}

bool float_screenable(const WeightView& w, const LinearOptions& o, float output_scale) {
    return FloatLinear::screenable(w, o, output_scale);
}
bool float_requantizable(const WeightView& w) { return FloatLinear::requantizable(w); }
bool float_f16_repackable(const WeightView& w) { return FloatLinear::f16_repackable(w); }

}  // namespace tern::linear_detail
