#include "engine/model/kv_cache.h"

#include "engine/error.h"
#include "kernels/fp16.h"

#include <algorithm>
#include <new>
#include <string>

namespace tern {

const char* kv_type_name(KvType t) { return t == KvType::F16 ? "f16" : "f32"; }

std::optional<KvType> kv_type_from_name(const std::string& name) {
    if (name == "f32") return KvType::F32;
    if (name == "f16") return KvType::F16;
    return std::nullopt;
}

KvCache::KvCache(int32_t n_layer, int32_t n_ctx, int32_t n_head_kv, int32_t head_dim, KvType type)
    : n_layer_(n_layer), n_ctx_(n_ctx), n_head_kv_(n_head_kv), head_dim_(head_dim), type_(type) {
    if (n_layer <= 0 || n_ctx <= 0 || n_head_kv <= 0 || head_dim <= 0) throw Error("KV cache: invalid size");
    const uint64_t n = (uint64_t)n_layer * n_head_kv * n_ctx * head_dim;
    try {
        if (type == KvType::F16) {
            k16_.reset(new uint16_t[n]);
            v16_.reset(new uint16_t[n]);
        } else {
            k_.reset(new float[n]);
            v_.reset(new float[n]);
        }
    } catch (const std::bad_alloc&) {
        throw Error("not enough memory for a KV cache of " + std::to_string(n_ctx) + " tokens (" +
                    std::to_string(2 * n * kv_type_bytes(type) >> 20) + " MiB); use a smaller context");
    }
}

void KvCache::store(int32_t layer, int32_t pos, const float* keys, const float* values) {
    const int64_t off = (int64_t)pos * head_dim_;
    for (int32_t h = 0; h < n_head_kv_; ++h) {
        const float* kh = keys + (int64_t)h * head_dim_;
        const float* vh = values + (int64_t)h * head_dim_;
        if (type_ == KvType::F16) {
            // Scalar rounding (kernels/fp16.h): a few thousand values per token, negligible next
            // to the projections that produced them.
            uint16_t* kd = at(k16_.get(), layer, h) + off;
            uint16_t* vd = at(v16_.get(), layer, h) + off;
            for (int32_t d = 0; d < head_dim_; ++d) {
                kd[d] = kernels::f32_to_fp16(kh[d]);
                vd[d] = kernels::f32_to_fp16(vh[d]);
            }
        } else {
            std::copy_n(kh, head_dim_, k(layer, h) + off);
            std::copy_n(vh, head_dim_, v(layer, h) + off);
        }
    }
}

void KvCache::copy_prefix_from(const KvCache& other, int32_t n) {
    if (other.n_layer_ != n_layer_ || other.n_ctx_ != n_ctx_ || other.n_head_kv_ != n_head_kv_ ||
        other.head_dim_ != head_dim_ || other.type_ != type_)
        throw Error("KV cache: copying between caches of different shapes or types");
    if (n < 0 || n > n_ctx_) throw Error("KV cache: copy of " + std::to_string(n) + " positions out of range");
    const size_t elems = (size_t)n * head_dim_;
    for (int32_t layer = 0; layer < n_layer_; ++layer)
        for (int32_t h = 0; h < n_head_kv_; ++h) {
            if (type_ == KvType::F16) {
                std::copy_n(other.k16(layer, h), elems, at(k16_.get(), layer, h));
                std::copy_n(other.v16(layer, h), elems, at(v16_.get(), layer, h));
            } else {
                std::copy_n(other.k(layer, h), elems, k(layer, h));
                std::copy_n(other.v(layer, h), elems, v(layer, h));
            }
        }
}

}  // namespace tern
