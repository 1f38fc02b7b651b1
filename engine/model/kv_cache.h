#pragma once
// Keys and values of every layer for the positions a session has processed, in float32 or, when
// asked (KvType::F16), IEEE half precision: half the memory, and half the bytes attention
// streams per decoded token late in a long context. Halves round each key/value once when it
// is stored (relative error <= 2^-11; |x| >= 65520 becomes inf), so F16 changes the model's
// maths slightly; F32 is the default. Tern's reference logits were computed with F32 KV.
// Layout [layer][kv head][position][head_dim]: one head's keys (and values) for all positions
// are one contiguous stream, which is how attention reads them. With the rows of all heads
// interleaved per position ([layer][position][kv_dim]) each head read 512 bytes out of every
// 2560 (2B4T), and decode after 2048 tokens of context ran attention at ~4 GB/s.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace tern {

enum class KvType { F32, F16 };
const char* kv_type_name(KvType t);                              // "f32", "f16"
std::optional<KvType> kv_type_from_name(const std::string& name);  // inverse; nullopt if unknown
inline uint64_t kv_type_bytes(KvType t) { return t == KvType::F16 ? 2 : 4; }

class KvCache {
public:
    KvCache(int32_t n_layer, int32_t n_ctx, int32_t n_head_kv, int32_t head_dim, KvType type = KvType::F32);
    int32_t n_ctx() const { return n_ctx_; }
    KvType type() const { return type_; }
    // Position 0 of one head's keys / values; position p is head_dim elements further per step.
    // k()/v() for an F32 cache, k16()/v16() (IEEE halves) for an F16 one; the other pair is null.
    float* k(int32_t layer, int32_t head) { return at(k_.get(), layer, head); }
    float* v(int32_t layer, int32_t head) { return at(v_.get(), layer, head); }
    const float* k(int32_t layer, int32_t head) const { return at(k_.get(), layer, head); }
    const float* v(int32_t layer, int32_t head) const { return at(v_.get(), layer, head); }
    const uint16_t* k16(int32_t layer, int32_t head) const { return at(k16_.get(), layer, head); }
    const uint16_t* v16(int32_t layer, int32_t head) const { return at(v16_.get(), layer, head); }
    // Stores one position's keys and values, each n_head_kv * head_dim floats, head after head
    // (rounded to nearest half in an F16 cache).
    void store(int32_t layer, int32_t pos, const float* keys, const float* values);
    uint64_t bytes() const { return bytes_per_position(n_layer_, n_head_kv_, head_dim_, type_) * n_ctx_; }
    // Keys and values of one position over all layers: what each cached token costs.
    static uint64_t bytes_per_position(int32_t n_layer, int32_t n_head_kv, int32_t head_dim,
                                       KvType type = KvType::F32) {
        return 2ull * n_layer * n_head_kv * head_dim * kv_type_bytes(type);
    }
    // Copies positions [0, n) of every layer and head from a cache of the same geometry and type.
    void copy_prefix_from(const KvCache& other, int32_t n);

private:
    template <class T>
    T* at(T* base, int32_t layer, int32_t head) const {
        return base ? base + ((uint64_t)layer * n_head_kv_ + head) * n_ctx_ * head_dim_ : nullptr;
    }
    int32_t n_layer_, n_ctx_, n_head_kv_, head_dim_;
    KvType type_;
    // Left uninitialised on purpose: pages are only touched (and counted in RSS) once used.
    // One pair is allocated, by type.
    std::unique_ptr<float[]> k_, v_;
    std::unique_ptr<uint16_t[]> k16_, v16_;
};

}  // namespace tern
