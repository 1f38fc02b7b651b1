#include "engine/kv_cache.h"

#include "engine/error.h"

#include <new>
#include <string>

namespace tern {

KvCache::KvCache(int32_t n_layer, int32_t n_ctx, int32_t kv_dim)
    : n_layer_(n_layer), n_ctx_(n_ctx), kv_dim_(kv_dim) {
    if (n_layer <= 0 || n_ctx <= 0 || kv_dim <= 0) throw Error("KV cache: invalid size");
    const uint64_t n = (uint64_t)n_layer * n_ctx * kv_dim;
    try {
        k_.reset(new float[n]);
        v_.reset(new float[n]);
    } catch (const std::bad_alloc&) {
        throw Error("not enough memory for a KV cache of " + std::to_string(n_ctx) +
                    " tokens (" + std::to_string(2 * n * sizeof(float) >> 20) + " MiB); use a smaller context");
    }
}

}  // namespace tern
