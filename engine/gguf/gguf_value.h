#pragma once
// A GGUF metadata value: a scalar, a string, or an array (arrays may nest). Immutable once
// built. Arrays are stored compactly because real files hold big ones (128,256 tokens, 280,147
// merges): numbers and bools as packed little-endian bytes exactly as in the file, strings as a
// vector<string>, and only arrays of arrays as a vector of GgufValue. Copies are cheap: the
// payload is shared.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tern {

enum class GgufValueType : uint32_t {
    UINT8 = 0,
    INT8 = 1,
    UINT16 = 2,
    INT16 = 3,
    UINT32 = 4,
    INT32 = 5,
    FLOAT32 = 6,
    BOOL = 7,
    STRING = 8,
    ARRAY = 9,
    UINT64 = 10,
    INT64 = 11,
    FLOAT64 = 12,
};

// "u8","i8","u16","i16","u32","i32","f32","bool","str","arr","u64","i64","f64" ("?" otherwise).
const char* gguf_value_type_name(GgufValueType);
// True if raw is one of the 13 ids above.
bool gguf_value_type_valid(uint32_t raw);
// Bytes of one scalar of this type in a file; 0 for STRING and ARRAY (variable size).
size_t gguf_value_type_size(GgufValueType);

class GgufValue {
public:
    static GgufValue u8(uint8_t);
    static GgufValue i8(int8_t);
    static GgufValue u16(uint16_t);
    static GgufValue i16(int16_t);
    static GgufValue u32(uint32_t);
    static GgufValue i32(int32_t);
    static GgufValue f32(float);
    static GgufValue boolean(bool);
    static GgufValue str(std::string);
    static GgufValue u64(uint64_t);
    static GgufValue i64(int64_t);
    static GgufValue f64(double);

    static GgufValue string_array(std::vector<std::string>);
    static GgufValue f32_array(std::vector<float>);
    static GgufValue i32_array(std::vector<int32_t>);
    // Generic array; every item must have type elem (throws tern::Error otherwise). Numeric and
    // string items are repacked into the compact form.
    static GgufValue array(GgufValueType elem, std::vector<GgufValue> items);
    // Numeric/bool array from its little-endian file bytes (size a multiple of the element
    // size, else tern::Error). Used by the reader to copy arrays in one go.
    static GgufValue packed_array(GgufValueType elem, std::vector<uint8_t> bytes);
    // Scalar from its little-endian file bit pattern (zero-extended); numeric/bool types only.
    static GgufValue from_bits(GgufValueType t, uint64_t bits);

    GgufValueType type() const { return type_; }
    bool is_integer() const;  // any integer type (not bool)
    bool is_float() const;    // f32 or f64
    // Conversions throw tern::Error when the value does not have a fitting type or range.
    int64_t as_int() const;    // any integer type; u64 > INT64_MAX throws
    uint64_t as_uint() const;  // any integer type with a value >= 0
    double as_float() const;   // f32/f64 or any integer
    bool as_bool() const;      // BOOL only
    const std::string& as_string() const;  // STRING only

    // Arrays (all throw tern::Error when this is not an array or the element type does not fit).
    GgufValueType array_type() const;
    size_t array_size() const;
    const std::vector<std::string>& as_string_array() const;  // ARRAY of STRING
    std::vector<int64_t> as_int_array() const;   // ARRAY of any integer type
    std::vector<float> as_float_array() const;   // ARRAY of f32/f64 or integers
    // Element i as a value of its own (bounds-checked). Returned by value: numeric and string
    // arrays are packed, so there is no stored GgufValue to refer to.
    GgufValue at(size_t i) const;
    // Cheaper element access without building a GgufValue (bounds- and type-checked).
    int64_t int_at(size_t i) const;
    double float_at(size_t i) const;
    const std::string& string_at(size_t i) const;
    // Packed little-endian bytes of a numeric/bool array (nullptr for other values).
    const uint8_t* array_data() const;
    size_t array_data_size() const;
    // File bit pattern of a numeric/bool scalar, zero-extended (what from_bits() takes).
    uint64_t bits() const { return bits_; }

    // Short human text for --info, e.g. `"gpt2"`, `128256`, `[str x 50257] ["!", "\"", ...]`.
    std::string to_display(size_t max_items = 8) const;

    // Same type and bit-identical content (so NaN == NaN with the same bits).
    bool operator==(const GgufValue& other) const;
    bool operator!=(const GgufValue& other) const { return !(*this == other); }

private:
    struct Payload;
    GgufValue(GgufValueType t, uint64_t bits) : type_(t), bits_(bits) {}
    const Payload& payload() const;
    void require_array(const char* what) const;
    uint64_t packed_bits(size_t i) const;  // raw element bits of a packed array

    GgufValueType type_ = GgufValueType::UINT8;
    GgufValueType elem_ = GgufValueType::UINT8;  // arrays only
    uint64_t bits_ = 0;  // scalars: the file's bit pattern, zero-extended
    std::shared_ptr<const Payload> payload_;  // strings and arrays
};

}  // namespace tern
