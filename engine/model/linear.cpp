#include "engine/model/linear.h"
#include "engine/model/linear_detail.h"

#include "engine/error.h"
#include "engine/gguf/mapped_file.h"
#include "engine/model/huge_pages.h"
#include "engine/model/thread_pool.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <cstring>
#include <vector>

namespace tern {

namespace linear_detail {

void maybe_parallel(ThreadPool* pool, int64_t n, int64_t granule, const std::function<void(int64_t, int64_t)>& fn) {
    if (pool) pool->parallel_for(n, fn, granule);
    else fn(0, n);
}

void consume_in_slices(const LinearOptions& o, const uint8_t* src, int64_t n, int64_t granule, uint64_t unit_bytes,
                       uint64_t src_bytes, const std::function<void(int64_t, int64_t)>& fn) {
    if (!o.release_source) return maybe_parallel(o.pool, n, granule, fn);
    const int64_t slice = std::max<int64_t>(granule, (int64_t)((32u << 20) / std::max<uint64_t>(unit_bytes, 1)));
    for (int64_t i0 = 0; i0 < n; i0 += slice) {
        const int64_t i1 = std::min(n, i0 + slice);
        maybe_parallel(o.pool, i1 - i0, granule, [&](int64_t a, int64_t b) { fn(i0 + a, i0 + b); });
        const uint64_t b0 = std::min<uint64_t>(src_bytes, (uint64_t)i0 * unit_bytes);
        const uint64_t b1 = std::min<uint64_t>(src_bytes, (uint64_t)i1 * unit_bytes);
        release_mapped_pages(src + b0, b1 - b0);
    }
}

Scratch& scratch() {
    thread_local Scratch s;
    return s;
}

}  // namespace linear_detail

using namespace linear_detail;

void Linear::forward_rows(const float* x, const int32_t* rows, int64_t n_rows, float* y, ThreadPool& pool) const {
    // Any layer: the whole product, then the rows asked for (correct, not fast).
    std::vector<float> all(out_);
    forward(x, all.data(), 1, pool);
    for (int64_t i = 0; i < n_rows; ++i) y[rows[i]] = all[rows[i]];
}

bool linear_screenable(const WeightView& w, const LinearOptions& options, float output_scale) {
    return float_screenable(w, options, output_scale);
}

WeightBuffer::WeightBuffer(uint64_t n) {
    constexpr size_t kAlign = kHugePageBytes;  // so that whole huge pages can back it
    const size_t size = (size_t)((n + kAlign - 1) / kAlign * kAlign);
#if defined(_WIN32)
    data_ = static_cast<uint8_t*>(_aligned_malloc(size, kAlign));
#else
    void* p = nullptr;
    if (posix_memalign(&p, kAlign, size) != 0) p = nullptr;
    data_ = static_cast<uint8_t*>(p);
#endif
    if (!data_) throw Error("not enough memory for " + std::to_string(n >> 20) + " MiB of weights");
    advise_huge_pages(data_, n);  // engine/model/huge_pages.h: when, and why only whole pages
}

WeightBuffer::~WeightBuffer() {
#if defined(_WIN32)
    _aligned_free(data_);
#else
    std::free(data_);
#endif
}

bool linear_owns_weights(const WeightView& w, const LinearOptions& options) {
    if (ggml_type_is_ternary(w.type)) return options.repack;
    return (options.requantize_q8 && float_requantizable(w)) ||
           (options.repack && float_f16_repackable(w));
}

std::unique_ptr<Linear> make_linear(const WeightView& w, float output_scale, const LinearOptions& options) {
    if (w.in <= 0 || w.out <= 0 || !w.data)
        throw Error("tensor '" + w.name + "': empty weight matrix");
    if (w.in % ggml_type_block_size(w.type) != 0)
        throw Error("tensor '" + w.name + "': row length " + std::to_string(w.in) + " is not a multiple of " +
                    std::to_string(ggml_type_block_size(w.type)) + " as type " + ggml_type_name(w.type) + " needs");
    if (ggml_type_is_ternary(w.type)) return make_ternary_linear(w, output_scale, options);
    return make_float_linear(w, output_scale, options);
}

}  // namespace tern

