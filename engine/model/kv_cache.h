#pragma once
// Keys and values of every layer for the positions a session has processed, in float32.
// Layout [layer][kv head][position][head_dim]: one head's keys (and values) for all positions
// are one contiguous stream, which is how attention reads them. With the rows of all heads
// interleaved per position ([layer][position][kv_dim]) each head read 512 bytes out of every
// 2560 (2B4T), and decode after 2048 tokens of context ran attention at ~4 GB/s.
#include <cstdint>
#include <memory>

namespace tern {

class KvCache {
public:
    KvCache(int32_t n_layer, int32_t n_ctx, int32_t n_head_kv, int32_t head_dim);
    int32_t n_ctx() const { return n_ctx_; }
    // Position 0 of one head's keys / values; position p is head_dim floats further per step.
    float* k(int32_t layer, int32_t head) { return k_.get() + offset(layer, head); }
    float* v(int32_t layer, int32_t head) { return v_.get() + offset(layer, head); }
    const float* k(int32_t layer, int32_t head) const { return k_.get() + offset(layer, head); }
    const float* v(int32_t layer, int32_t head) const { return v_.get() + offset(layer, head); }
    // Stores one position's keys and values, each n_head_kv * head_dim floats, head after head.
    void store(int32_t layer, int32_t pos, const float* keys, const float* values);
    uint64_t bytes() const { return 2ull * n_layer_ * n_head_kv_ * n_ctx_ * head_dim_ * sizeof(float); }
    // Keys and values of one position over all layers: what each cached token costs.
    static uint64_t bytes_per_position(int32_t n_layer, int32_t n_head_kv, int32_t head_dim) {
        return 2ull * n_layer * n_head_kv * head_dim * sizeof(float);
    }
    // Copies positions [0, n) of every layer and head from a cache of the same geometry.
    void copy_prefix_from(const KvCache& other, int32_t n);

private:
    uint64_t offset(int32_t layer, int32_t head) const {
        return ((uint64_t)layer * n_head_kv_ + head) * n_ctx_ * head_dim_;
    }
    int32_t n_layer_, n_ctx_, n_head_kv_, head_dim_;
    // Left uninitialised on purpose: pages are only touched (and counted in RSS) once used.
    std::unique_ptr<float[]> k_, v_;
};

}  // namespace tern
