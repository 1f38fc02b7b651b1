#include "engine/model/kv_cache.h"

#include "engine/error.h"

#include <algorithm>
#include <new>
#include <string>

namespace tern {

KvCache::KvCache(int32_t n_layer, int32_t n_ctx, int32_t n_head_kv, int32_t head_dim)
    : n_layer_(n_layer), n_ctx_(n_ctx), n_head_kv_(n_head_kv), head_dim_(head_dim) {
    if (n_layer <= 0 || n_ctx <= 0 || n_head_kv <= 0 || head_dim <= 0) throw Error("KV cache: invalid size");
    const uint64_t n = (uint64_t)n_layer * n_head_kv * n_ctx * head_dim;
    try {
        k_.reset(new float[n]);
        v_.reset(new float[n]);
    } catch (const std::bad_alloc&) {
        throw Error("not enough memory for a KV cache of " + std::to_string(n_ctx) +
                    " tokens (" + std::to_string(2 * n * sizeof(float) >> 20) + " MiB); use a smaller context");
    }
}

void KvCache::store(int32_t layer, int32_t pos, const float* keys, const float* values) {
    for (int32_t h = 0; h < n_head_kv_; ++h) {
        std::copy_n(keys + (int64_t)h * head_dim_, head_dim_, k(layer, h) + (int64_t)pos * head_dim_);
        std::copy_n(values + (int64_t)h * head_dim_, head_dim_, v(layer, h) + (int64_t)pos * head_dim_);
    }
}

void KvCache::copy_prefix_from(const KvCache& other, int32_t n) {
    if (other.n_layer_ != n_layer_ || other.n_ctx_ != n_ctx_ || other.n_head_kv_ != n_head_kv_ ||
        other.head_dim_ != head_dim_)
        throw Error("KV cache: copying between caches of different shapes");
    if (n < 0 || n > n_ctx_) throw Error("KV cache: copy of " + std::to_string(n) + " positions out of range");
    const size_t floats = (size_t)n * head_dim_;
    for (int32_t layer = 0; layer < n_layer_; ++layer)
        for (int32_t h = 0; h < n_head_kv_; ++h) {
            std::copy_n(other.k(layer, h), floats, k(layer, h));
            std::copy_n(other.v(layer, h), floats, v(layer, h));
        }
}

}  // namespace tern
