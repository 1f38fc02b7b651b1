#pragma once
// Keys and values of every layer for the positions a session has processed, in float32.
// Layout [layer][position][kv_dim] so one token's attention reads each layer's keys in order.
#include <cstdint>
#include <memory>

namespace tern {

class KvCache {
public:
    KvCache(int32_t n_layer, int32_t n_ctx, int32_t kv_dim);
    int32_t n_ctx() const { return n_ctx_; }
    int32_t kv_dim() const { return kv_dim_; }
    float* k(int32_t layer, int32_t pos) { return k_.get() + offset(layer, pos); }
    float* v(int32_t layer, int32_t pos) { return v_.get() + offset(layer, pos); }
    const float* k(int32_t layer, int32_t pos) const { return k_.get() + offset(layer, pos); }
    const float* v(int32_t layer, int32_t pos) const { return v_.get() + offset(layer, pos); }
    uint64_t bytes() const { return 2ull * n_layer_ * n_ctx_ * kv_dim_ * sizeof(float); }

private:
    uint64_t offset(int32_t layer, int32_t pos) const {
        return ((uint64_t)layer * n_ctx_ + pos) * kv_dim_;
    }
    int32_t n_layer_, n_ctx_, kv_dim_;
    // Left uninitialised on purpose: pages are only touched (and counted in RSS) once used.
    std::unique_ptr<float[]> k_, v_;
};

}  // namespace tern
