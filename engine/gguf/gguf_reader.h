#pragma once
// Reads GGUF v2/v3 files (little-endian) through a memory mapping. open() validates the whole
// header up front — every count, length, type, dim, offset and alignment — so that code using a
// GgufFile can trust it: a hostile or truncated file gives a GgufError, never a crash, an
// over-read or a giant allocation.
#include "engine/error.h"
#include "engine/gguf/ggml_type.h"
#include "engine/gguf/gguf_value.h"
#include "engine/gguf/mapped_file.h"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tern {

enum class GgufErrorKind {
    Io,
    BadMagic,
    UnsupportedVersion,
    Truncated,
    BadValueType,
    BadString,
    TooLarge,  // count/len beyond what the file can hold, or beyond a fixed limit
    NestingTooDeep,
    DuplicateKey,
    BadAlignment,
    BadTensorType,
    BadTensorDims,
    DuplicateTensor,
    TensorOutOfBounds,
    TensorMisaligned,
    TensorOverlap,
    WrongKeyType,
    MissingKey,
    MissingTensor,
};

// Keys and tensor names must be non-empty UTF-8 without control characters (they end up in
// messages, logs and lookups). The writer applies the same rule so it never writes what the
// reader rejects.
bool gguf_valid_name(const std::string& s);

// "Io", "BadMagic", ... (for test output and logs).
const char* gguf_error_kind_name(GgufErrorKind);

class GgufError : public Error {
public:
    GgufError(GgufErrorKind kind, std::string msg);
    GgufErrorKind kind;
};

struct GgufTensorInfo {
    std::string name;
    GgmlType type = GgmlType::F32;
    std::vector<int64_t> ne;  // ne[0] = row length
    uint64_t offset = 0;      // relative to the data section
    uint64_t nbytes = 0;
    int64_t n_elements() const;
};

// Limits a valid file never comes near; they bound work and memory on hostile input.
constexpr int kGgufMaxNesting = 8;               // array depth (a top-level array is depth 1)
constexpr uint64_t kGgufMaxNameBytes = 64 * 1024;  // keys and tensor names
constexpr uint32_t kGgufMaxDims = 4;
constexpr uint64_t kGgufMaxAlignment = uint64_t{1} << 30;
constexpr uint64_t kGgufMaxNestedItems = uint64_t{1} << 20;  // elements of arrays of arrays, whole file

class GgufFile {
public:
    // v2 and v3; validates everything up front (throws GgufError; Io when the file cannot be
    // opened or mapped).
    static GgufFile open(const std::string& path);

    GgufFile(GgufFile&&) noexcept = default;
    GgufFile& operator=(GgufFile&&) noexcept = default;

    uint32_t version() const { return version_; }
    uint64_t alignment() const { return alignment_; }
    uint64_t file_size() const { return map_.size(); }
    const std::string& path() const { return path_; }

    const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return metadata_; }  // file order
    const GgufValue* find(const std::string& key) const;  // nullptr if absent

    // Typed getters: throw GgufError(MissingKey / WrongKeyType) naming the key.
    std::string get_string(const std::string& key) const;
    std::optional<std::string> get_string_opt(const std::string& key) const;
    uint64_t get_uint(const std::string& key) const;  // any integer type with a value >= 0
    std::optional<uint64_t> get_uint_opt(const std::string& key) const;
    double get_float(const std::string& key) const;   // f32/f64 or any integer
    std::optional<double> get_float_opt(const std::string& key) const;
    std::optional<bool> get_bool_opt(const std::string& key) const;
    const GgufValue& get_array(const std::string& key) const;  // ARRAY or throws

    const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }  // file order
    const GgufTensorInfo* find_tensor(const std::string& name) const;      // nullptr if absent
    // Like find_tensor but throws GgufError(MissingTensor) naming the tensor.
    const GgufTensorInfo& get_tensor(const std::string& name) const;
    // Pointer into the mapping; throws tern::Error if info does not lie inside this file.
    const uint8_t* tensor_data(const GgufTensorInfo& info) const;
    uint64_t data_offset() const { return data_offset_; }  // absolute file offset of the data section
    // Reads tensor bytes through the file instead of the mapping (mapped_file.h); may be null.
    std::shared_ptr<const MappedFileReader> reader() const { return map_.reader(); }

private:
    friend class GgufParser;
    GgufFile() = default;
    [[noreturn]] void key_error(GgufErrorKind kind, const std::string& key, const std::string& what) const;

    MappedFile map_;
    std::string path_;
    uint32_t version_ = 0;
    uint64_t alignment_ = 32;
    uint64_t data_offset_ = 0;
    std::vector<std::pair<std::string, GgufValue>> metadata_;
    std::unordered_map<std::string, size_t> key_index_;
    std::vector<GgufTensorInfo> tensors_;
    std::unordered_map<std::string, size_t> tensor_index_;
};

}  // namespace tern
