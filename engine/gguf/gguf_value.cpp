#include "engine/gguf/gguf_value.h"

#include "engine/error.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <limits>

// Packed arrays are copied straight from/to the file's little-endian bytes.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "Tern assumes a little-endian host (GGUF data is little-endian)"
#endif

namespace tern {

struct GgufValue::Payload {
    std::string str;                   // STRING
    std::vector<std::string> strings;  // ARRAY of STRING
    std::vector<uint8_t> packed;       // ARRAY of numbers/bools, file bytes
    std::vector<GgufValue> items;      // ARRAY of ARRAY
};

namespace {

bool is_int_type(GgufValueType t) {
    switch (t) {
        case GgufValueType::UINT8: case GgufValueType::INT8: case GgufValueType::UINT16:
        case GgufValueType::INT16: case GgufValueType::UINT32: case GgufValueType::INT32:
        case GgufValueType::UINT64: case GgufValueType::INT64:
            return true;
        default:
            return false;
    }
}

bool is_signed_type(GgufValueType t) {
    return t == GgufValueType::INT8 || t == GgufValueType::INT16 || t == GgufValueType::INT32 ||
           t == GgufValueType::INT64;
}

bool is_float_type(GgufValueType t) {
    return t == GgufValueType::FLOAT32 || t == GgufValueType::FLOAT64;
}

// Sign-extends a zero-extended bit pattern of a signed type of the given byte width.
int64_t sign_extend(uint64_t bits, size_t width) {
    if (width >= 8) return static_cast<int64_t>(bits);
    const uint64_t sign = uint64_t{1} << (width * 8 - 1);
    return static_cast<int64_t>((bits ^ sign) - sign);
}

[[noreturn]] void type_error(const char* wanted, GgufValueType got) {
    throw Error(std::string("GGUF value: expected ") + wanted + ", got " +
                gguf_value_type_name(got));
}

// Integer value of a scalar bit pattern; throws if it does not fit int64.
int64_t bits_to_int(GgufValueType t, uint64_t bits) {
    if (is_signed_type(t)) return sign_extend(bits, gguf_value_type_size(t));
    if (bits > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        throw Error("GGUF value: u64 " + std::to_string(bits) + " does not fit in int64");
    return static_cast<int64_t>(bits);
}

double bits_to_float(GgufValueType t, uint64_t bits) {
    if (t == GgufValueType::FLOAT32) {
        float f;
        const uint32_t b = static_cast<uint32_t>(bits);
        std::memcpy(&f, &b, 4);
        return f;
    }
    if (t == GgufValueType::FLOAT64) {
        double d;
        std::memcpy(&d, &bits, 8);
        return d;
    }
    if (is_signed_type(t)) return static_cast<double>(sign_extend(bits, gguf_value_type_size(t)));
    return static_cast<double>(bits);
}

void append_escaped(std::string& out, const std::string& s, size_t max_bytes) {
    size_t n = s.size();
    bool cut = false;
    if (n > max_bytes) {
        n = max_bytes;
        // Do not split a UTF-8 sequence: back off over continuation bytes.
        while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
        cut = true;
    }
    out += '"';
    for (size_t i = 0; i < n; ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    out += cut ? "\"..." : "\"";
}

std::string scalar_text(GgufValueType t, uint64_t bits) {
    char buf[64];
    if (t == GgufValueType::BOOL) return bits ? "true" : "false";
    if (t == GgufValueType::FLOAT32) {
        std::snprintf(buf, sizeof buf, "%.7g", bits_to_float(t, bits));
    } else if (t == GgufValueType::FLOAT64) {
        std::snprintf(buf, sizeof buf, "%.15g", bits_to_float(t, bits));
    } else if (is_signed_type(t)) {
        std::snprintf(buf, sizeof buf, "%" PRId64, sign_extend(bits, gguf_value_type_size(t)));
    } else {
        std::snprintf(buf, sizeof buf, "%" PRIu64, bits);
    }
    return buf;
}

}  // namespace

const char* gguf_value_type_name(GgufValueType t) {
    // Indexed by the on-disk type id.
    static const char* const names[] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32",
                                        "bool", "str", "arr", "u64", "i64", "f64"};
    const auto i = static_cast<uint32_t>(t);
    return gguf_value_type_valid(i) ? names[i] : "?";
}

bool gguf_value_type_valid(uint32_t raw) {
    return raw <= static_cast<uint32_t>(GgufValueType::FLOAT64);
}

size_t gguf_value_type_size(GgufValueType t) {
    switch (t) {
        case GgufValueType::UINT8: case GgufValueType::INT8: case GgufValueType::BOOL: return 1;
        case GgufValueType::UINT16: case GgufValueType::INT16: return 2;
        case GgufValueType::UINT32: case GgufValueType::INT32: case GgufValueType::FLOAT32: return 4;
        case GgufValueType::UINT64: case GgufValueType::INT64: case GgufValueType::FLOAT64: return 8;
        default: return 0;
    }
}

// ---- construction ------------------------------------------------------------------------

GgufValue GgufValue::u8(uint8_t v) { return GgufValue(GgufValueType::UINT8, v); }
GgufValue GgufValue::i8(int8_t v) { return GgufValue(GgufValueType::INT8, static_cast<uint8_t>(v)); }
GgufValue GgufValue::u16(uint16_t v) { return GgufValue(GgufValueType::UINT16, v); }
GgufValue GgufValue::i16(int16_t v) { return GgufValue(GgufValueType::INT16, static_cast<uint16_t>(v)); }
GgufValue GgufValue::u32(uint32_t v) { return GgufValue(GgufValueType::UINT32, v); }
GgufValue GgufValue::i32(int32_t v) { return GgufValue(GgufValueType::INT32, static_cast<uint32_t>(v)); }
GgufValue GgufValue::u64(uint64_t v) { return GgufValue(GgufValueType::UINT64, v); }
GgufValue GgufValue::i64(int64_t v) { return GgufValue(GgufValueType::INT64, static_cast<uint64_t>(v)); }
GgufValue GgufValue::boolean(bool v) { return GgufValue(GgufValueType::BOOL, v ? 1 : 0); }

GgufValue GgufValue::from_bits(GgufValueType t, uint64_t bits) {
    const size_t n = gguf_value_type_size(t);
    if (n == 0) throw Error(std::string("GGUF value: ") + gguf_value_type_name(t) + " is not a scalar type");
    if (n < 8) bits &= (uint64_t{1} << (8 * n)) - 1;
    return GgufValue(t, bits);
}

GgufValue GgufValue::f32(float v) {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    return GgufValue(GgufValueType::FLOAT32, b);
}

GgufValue GgufValue::f64(double v) {
    uint64_t b;
    std::memcpy(&b, &v, 8);
    return GgufValue(GgufValueType::FLOAT64, b);
}

GgufValue GgufValue::str(std::string s) {
    GgufValue v(GgufValueType::STRING, 0);
    auto p = std::make_shared<Payload>();
    p->str = std::move(s);
    v.payload_ = std::move(p);
    return v;
}

GgufValue GgufValue::string_array(std::vector<std::string> items) {
    GgufValue v(GgufValueType::ARRAY, 0);
    v.elem_ = GgufValueType::STRING;
    auto p = std::make_shared<Payload>();
    p->strings = std::move(items);
    v.payload_ = std::move(p);
    return v;
}

GgufValue GgufValue::packed_array(GgufValueType elem, std::vector<uint8_t> bytes) {
    const size_t es = gguf_value_type_size(elem);
    if (es == 0) throw Error(std::string("GGUF value: cannot pack an array of ") + gguf_value_type_name(elem));
    if (bytes.size() % es != 0)
        throw Error("GGUF value: " + std::to_string(bytes.size()) + " bytes is not a whole number of " +
                    gguf_value_type_name(elem) + " elements");
    GgufValue v(GgufValueType::ARRAY, 0);
    v.elem_ = elem;
    auto p = std::make_shared<Payload>();
    p->packed = std::move(bytes);
    v.payload_ = std::move(p);
    return v;
}

GgufValue GgufValue::f32_array(std::vector<float> items) {
    std::vector<uint8_t> bytes(items.size() * 4);
    if (!items.empty()) std::memcpy(bytes.data(), items.data(), bytes.size());
    return packed_array(GgufValueType::FLOAT32, std::move(bytes));
}

GgufValue GgufValue::i32_array(std::vector<int32_t> items) {
    std::vector<uint8_t> bytes(items.size() * 4);
    if (!items.empty()) std::memcpy(bytes.data(), items.data(), bytes.size());
    return packed_array(GgufValueType::INT32, std::move(bytes));
}

GgufValue GgufValue::array(GgufValueType elem, std::vector<GgufValue> items) {
    if (!gguf_value_type_valid(static_cast<uint32_t>(elem)))
        throw Error("GGUF value: invalid array element type " + std::to_string(static_cast<uint32_t>(elem)));
    for (const GgufValue& it : items)
        if (it.type() != elem)
            throw Error(std::string("GGUF value: array of ") + gguf_value_type_name(elem) +
                        " given an item of type " + gguf_value_type_name(it.type()));
    if (elem == GgufValueType::STRING) {
        std::vector<std::string> strings;
        strings.reserve(items.size());
        for (const GgufValue& it : items) strings.push_back(it.as_string());
        return string_array(std::move(strings));
    }
    if (elem == GgufValueType::ARRAY) {
        GgufValue v(GgufValueType::ARRAY, 0);
        v.elem_ = elem;
        auto p = std::make_shared<Payload>();
        p->items = std::move(items);
        v.payload_ = std::move(p);
        return v;
    }
    const size_t es = gguf_value_type_size(elem);
    std::vector<uint8_t> bytes(items.size() * es);
    for (size_t i = 0; i < items.size(); ++i) std::memcpy(&bytes[i * es], &items[i].bits_, es);
    return packed_array(elem, std::move(bytes));
}

// ---- scalar access -----------------------------------------------------------------------

const GgufValue::Payload& GgufValue::payload() const {
    // Every STRING/ARRAY value is built with a payload; this guards moved-from values.
    if (!payload_) throw Error("GGUF value: empty value");
    return *payload_;
}

bool GgufValue::is_integer() const { return is_int_type(type_); }
bool GgufValue::is_float() const { return is_float_type(type_); }

int64_t GgufValue::as_int() const {
    if (!is_integer()) type_error("an integer", type_);
    return bits_to_int(type_, bits_);
}

uint64_t GgufValue::as_uint() const {
    if (!is_integer()) type_error("an integer", type_);
    if (is_signed_type(type_)) {
        const int64_t v = sign_extend(bits_, gguf_value_type_size(type_));
        if (v < 0) throw Error("GGUF value: expected a value >= 0, got " + std::to_string(v));
        return static_cast<uint64_t>(v);
    }
    return bits_;
}

double GgufValue::as_float() const {
    if (!is_integer() && !is_float()) type_error("a number", type_);
    return bits_to_float(type_, bits_);
}

bool GgufValue::as_bool() const {
    if (type_ != GgufValueType::BOOL) type_error("bool", type_);
    return bits_ != 0;
}

const std::string& GgufValue::as_string() const {
    if (type_ != GgufValueType::STRING) type_error("str", type_);
    return payload().str;
}

// ---- array access ------------------------------------------------------------------------

void GgufValue::require_array(const char* what) const {
    if (type_ != GgufValueType::ARRAY) type_error(what, type_);
}

GgufValueType GgufValue::array_type() const {
    require_array("an array");
    return elem_;
}

size_t GgufValue::array_size() const {
    require_array("an array");
    const Payload& p = payload();
    if (elem_ == GgufValueType::STRING) return p.strings.size();
    if (elem_ == GgufValueType::ARRAY) return p.items.size();
    return p.packed.size() / gguf_value_type_size(elem_);
}

const std::vector<std::string>& GgufValue::as_string_array() const {
    require_array("an array of str");
    if (elem_ != GgufValueType::STRING)
        throw Error(std::string("GGUF value: expected an array of str, got an array of ") +
                    gguf_value_type_name(elem_));
    return payload().strings;
}

uint64_t GgufValue::packed_bits(size_t i) const {
    const size_t es = gguf_value_type_size(elem_);
    uint64_t bits = 0;
    std::memcpy(&bits, payload().packed.data() + i * es, es);
    return bits;
}

std::vector<int64_t> GgufValue::as_int_array() const {
    require_array("an array of integers");
    if (!is_int_type(elem_))
        throw Error(std::string("GGUF value: expected an array of integers, got an array of ") +
                    gguf_value_type_name(elem_));
    const size_t n = array_size();
    std::vector<int64_t> out(n);
    for (size_t i = 0; i < n; ++i) out[i] = bits_to_int(elem_, packed_bits(i));
    return out;
}

std::vector<float> GgufValue::as_float_array() const {
    require_array("an array of numbers");
    if (!is_int_type(elem_) && !is_float_type(elem_))
        throw Error(std::string("GGUF value: expected an array of numbers, got an array of ") +
                    gguf_value_type_name(elem_));
    const size_t n = array_size();
    std::vector<float> out(n);
    if (elem_ == GgufValueType::FLOAT32) {
        if (n) std::memcpy(out.data(), payload().packed.data(), n * 4);
    } else {
        for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(bits_to_float(elem_, packed_bits(i)));
    }
    return out;
}

GgufValue GgufValue::at(size_t i) const {
    const size_t n = array_size();
    if (i >= n)
        throw Error("GGUF value: index " + std::to_string(i) + " out of range (size " + std::to_string(n) + ")");
    if (elem_ == GgufValueType::STRING) return str(payload().strings[i]);
    if (elem_ == GgufValueType::ARRAY) return payload().items[i];
    return GgufValue(elem_, packed_bits(i));
}

int64_t GgufValue::int_at(size_t i) const {
    const size_t n = array_size();
    if (i >= n || !is_int_type(elem_))
        throw Error("GGUF value: int_at(" + std::to_string(i) + ") on an array of " +
                    std::to_string(n) + " " + gguf_value_type_name(elem_));
    return bits_to_int(elem_, packed_bits(i));
}

double GgufValue::float_at(size_t i) const {
    const size_t n = array_size();
    if (i >= n || !(is_int_type(elem_) || is_float_type(elem_)))
        throw Error("GGUF value: float_at(" + std::to_string(i) + ") on an array of " +
                    std::to_string(n) + " " + gguf_value_type_name(elem_));
    return bits_to_float(elem_, packed_bits(i));
}

const std::string& GgufValue::string_at(size_t i) const {
    const std::vector<std::string>& s = as_string_array();
    if (i >= s.size())
        throw Error("GGUF value: index " + std::to_string(i) + " out of range (size " +
                    std::to_string(s.size()) + ")");
    return s[i];
}

const uint8_t* GgufValue::array_data() const {
    if (type_ != GgufValueType::ARRAY || gguf_value_type_size(elem_) == 0) return nullptr;
    return payload().packed.data();
}

size_t GgufValue::array_data_size() const {
    if (type_ != GgufValueType::ARRAY || gguf_value_type_size(elem_) == 0) return 0;
    return payload().packed.size();
}

// ---- display and comparison --------------------------------------------------------------

std::string GgufValue::to_display(size_t max_items) const {
    constexpr size_t kMaxStringBytes = 60;
    std::string out;
    if (type_ == GgufValueType::STRING) {
        append_escaped(out, as_string(), kMaxStringBytes);
        return out;
    }
    if (type_ != GgufValueType::ARRAY) return scalar_text(type_, bits_);
    const size_t n = array_size();
    out = std::string("[") + gguf_value_type_name(elem_) + " x " + std::to_string(n) + "] [";
    const size_t shown = n < max_items ? n : max_items;
    for (size_t i = 0; i < shown; ++i) {
        if (i) out += ", ";
        if (elem_ == GgufValueType::STRING)
            append_escaped(out, payload().strings[i], kMaxStringBytes);
        else if (elem_ == GgufValueType::ARRAY)
            out += payload().items[i].to_display(max_items);
        else
            out += scalar_text(elem_, packed_bits(i));
    }
    if (shown < n) out += shown ? ", ..." : "...";
    out += "]";
    return out;
}

bool GgufValue::operator==(const GgufValue& o) const {
    if (type_ != o.type_) return false;
    if (type_ == GgufValueType::STRING) return as_string() == o.as_string();
    if (type_ != GgufValueType::ARRAY) return bits_ == o.bits_;
    if (elem_ != o.elem_) return false;
    const Payload& a = payload();
    const Payload& b = o.payload();
    return a.strings == b.strings && a.packed == b.packed && a.items == b.items;
}

}  // namespace tern
