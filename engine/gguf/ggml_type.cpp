#include "engine/gguf/ggml_type.h"

#include <limits>

namespace tern {

namespace {

struct TypeTraits {
    const char* name;
    int64_t block;        // elements per block
    uint64_t block_bytes; // bytes per block
};

// One table so the name, block and size of a type cannot drift apart.
const TypeTraits* traits(GgmlType t) {
    static const TypeTraits f32{"f32", 1, 4};
    static const TypeTraits f16{"f16", 1, 2};
    static const TypeTraits q8_0{"q8_0", 32, 34};    // fp16 d + 32 x int8
    static const TypeTraits bf16{"bf16", 1, 2};
    static const TypeTraits tq1_0{"tq1_0", 256, 54}; // qs[48] + qh[4] + fp16 d
    static const TypeTraits tq2_0{"tq2_0", 256, 66}; // qs[64] + fp16 d
    static const TypeTraits i2_s{"i2_s", 128, 32};   // 2 bits per value; + 32-byte tensor tail
    switch (t) {
        case GgmlType::F32: return &f32;
        case GgmlType::F16: return &f16;
        case GgmlType::Q8_0: return &q8_0;
        case GgmlType::BF16: return &bf16;
        case GgmlType::TQ1_0: return &tq1_0;
        case GgmlType::TQ2_0: return &tq2_0;
        case GgmlType::I2_S: return &i2_s;
    }
    return nullptr;
}

constexpr uint64_t kI2sTailBytes = 32;

}  // namespace

bool ggml_type_supported(uint32_t raw) {
    return traits(static_cast<GgmlType>(raw)) != nullptr;
}

const char* ggml_type_name(GgmlType t) {
    const TypeTraits* tr = traits(t);
    return tr ? tr->name : "?";
}

int64_t ggml_type_block_size(GgmlType t) {
    const TypeTraits* tr = traits(t);
    return tr ? tr->block : 0;
}

uint64_t ggml_type_block_bytes(GgmlType t) {
    const TypeTraits* tr = traits(t);
    return tr ? tr->block_bytes : 0;
}

bool ggml_type_is_ternary(GgmlType t) {
    return t == GgmlType::TQ1_0 || t == GgmlType::TQ2_0 || t == GgmlType::I2_S;
}

std::optional<int64_t> ggml_n_elements(const std::vector<int64_t>& ne) {
    if (ne.empty()) return std::nullopt;
    int64_t n = 1;
    for (int64_t d : ne) {
        if (d <= 0) return std::nullopt;
        if (n > std::numeric_limits<int64_t>::max() / d) return std::nullopt;
        n *= d;
    }
    return n;
}

std::optional<uint64_t> ggml_tensor_nbytes(GgmlType t, const std::vector<int64_t>& ne) {
    const TypeTraits* tr = traits(t);
    if (!tr) return std::nullopt;
    std::optional<int64_t> n = ggml_n_elements(ne);
    if (!n || ne[0] % tr->block != 0) return std::nullopt;
    // Rows are whole blocks, so n is a whole number of blocks too.
    const uint64_t blocks = static_cast<uint64_t>(*n) / static_cast<uint64_t>(tr->block);
    if (blocks > std::numeric_limits<uint64_t>::max() / tr->block_bytes) return std::nullopt;
    uint64_t bytes = blocks * tr->block_bytes;
    if (t == GgmlType::I2_S) {
        if (bytes > std::numeric_limits<uint64_t>::max() - kI2sTailBytes) return std::nullopt;
        bytes += kI2sTailBytes;
    }
    return bytes;
}

uint64_t ggml_row_bytes(GgmlType t, int64_t ne0) {
    const TypeTraits* tr = traits(t);
    if (!tr || ne0 <= 0) return 0;
    return static_cast<uint64_t>(ne0 / tr->block) * tr->block_bytes;
}

}  // namespace tern
