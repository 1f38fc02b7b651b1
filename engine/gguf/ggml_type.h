#pragma once
// Tensor element types Tern can load, with the byte-size rules of each. The numeric ids are the
// on-disk GGUF ids. Note that bitnet.cpp's fork assigned I2_S = 36 while upstream ggml later
// reused 36..39 for other types, so an id alone does not say which ggml produced a file.
#include <cstdint>
#include <optional>
#include <vector>

namespace tern {

enum class GgmlType : uint32_t {
    F32 = 0,
    F16 = 1,
    Q8_0 = 8,
    BF16 = 30,
    TQ1_0 = 34,
    TQ2_0 = 35,
    I2_S = 36,
};

// True if `raw` is one of the ids above.
bool ggml_type_supported(uint32_t raw);
// "f32","f16","q8_0","bf16","tq1_0","tq2_0","i2_s" ("?" for an id outside the enum).
const char* ggml_type_name(GgmlType);
// Elements per block: 1,1,32,1,256,256, and 128 for I2_S (its row-length granularity).
int64_t ggml_type_block_size(GgmlType);
// Bytes per block (I2_S: 32 bytes per 128 values, not counting the per-tensor scale tail).
uint64_t ggml_type_block_bytes(GgmlType);
// TQ1_0, TQ2_0, I2_S.
bool ggml_type_is_ternary(GgmlType);

// Element count of dims ne; nullopt if there are no dims, any dim <= 0 or the product
// overflows int64.
std::optional<int64_t> ggml_n_elements(const std::vector<int64_t>& ne);
// Bytes of a whole tensor with dims ne (ne[0] = row length). nullopt if ne is empty, ne[0] is
// not a multiple of the block size, any dim <= 0, or the size overflows. I2_S: n/4 + 32 (the
// 32-byte tail holds the float scale).
std::optional<uint64_t> ggml_tensor_nbytes(GgmlType, const std::vector<int64_t>& ne);
// Bytes of ONE row of ne0 elements (ne0 a multiple of the block size). I2_S: ne0/4, i.e. the
// packed part only; the scale tail belongs to the tensor, not to a row.
uint64_t ggml_row_bytes(GgmlType, int64_t ne0);

}  // namespace tern
