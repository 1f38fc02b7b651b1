#include "engine/gguf/gguf_reader.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace tern {

namespace {

constexpr uint64_t kMinKvBytes = 8 + 1 + 4 + 1;               // key len, 1-byte key, type, u8 value
constexpr uint64_t kMinTensorInfoBytes = 8 + 1 + 4 + 8 + 4 + 8;  // name, n_dims, one dim, type, offset
constexpr uint64_t kNone = std::numeric_limits<uint64_t>::max();

}  // namespace

bool gguf_valid_name(const std::string& s) {
    if (s.empty()) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    for (size_t i = 0; i < n;) {
        const unsigned char c = p[i];
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7F) return false;
            ++i;
            continue;
        }
        size_t len;
        uint32_t cp;
        if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
        else return false;
        if (n - i < len) return false;
        for (size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        static const uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

namespace {

std::string quoted(const std::string& s) {
    // Names that failed validation may hold anything; show them escaped and short.
    return GgufValue::str(s).to_display();
}

}  // namespace

const char* gguf_error_kind_name(GgufErrorKind k) {
    // Same order as the enum.
    static const char* const names[] = {
        "Io", "BadMagic", "UnsupportedVersion", "Truncated", "BadValueType", "BadString", "TooLarge",
        "NestingTooDeep", "DuplicateKey", "BadAlignment", "BadTensorType", "BadTensorDims",
        "DuplicateTensor", "TensorOutOfBounds", "TensorMisaligned", "TensorOverlap", "WrongKeyType",
        "MissingKey", "MissingTensor"};
    const auto i = static_cast<size_t>(k);
    return i < sizeof names / sizeof names[0] ? names[i] : "?";
}

GgufError::GgufError(GgufErrorKind k, std::string msg) : Error(msg), kind(k) {}

int64_t GgufTensorInfo::n_elements() const {
    return ggml_n_elements(ne).value_or(0);
}

// Walks the mapped bytes once, checking each read against the bytes left. `where` strings
// (which key/tensor is being read) are only built when something fails.
class GgufParser {
public:
    GgufParser(GgufFile& f) : f_(f), p_(f.map_.data()), size_(f.map_.size()) {}

    void parse();

private:
    [[noreturn]] void fail(GgufErrorKind kind, const std::string& msg) const {
        throw GgufError(kind, f_.path_ + ": " + msg);
    }
    uint64_t left() const { return size_ - pos_; }
    static std::string where(const std::string& owner, uint64_t index) {
        return index == kNone ? owner : owner + " element " + std::to_string(index);
    }
    // Little-endian unsigned of n bytes. `part`/`owner`/`index` say what is being read; the
    // message is only built on failure because this runs once per array element.
    uint64_t read_uint(size_t n, const char* part, const std::string& owner = {}, uint64_t index = kNone) {
        if (n > left())
            fail(GgufErrorKind::Truncated, std::string("file ends inside the ") + part +
                 (owner.empty() ? "" : " of " + where(owner, index)) + " (offset " +
                 std::to_string(pos_) + ", need " + std::to_string(n) + " bytes, " +
                 std::to_string(left()) + " left; truncated download?)");
        uint64_t v = 0;
        for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(p_[pos_ + i]) << (8 * i);
        pos_ += n;
        return v;
    }
    uint32_t u32(const char* part, const std::string& owner = {}, uint64_t index = kNone) {
        return static_cast<uint32_t>(read_uint(4, part, owner, index));
    }
    uint64_t u64(const char* part, const std::string& owner = {}, uint64_t index = kNone) {
        return read_uint(8, part, owner, index);
    }

    std::string read_string(const std::string& owner, uint64_t index, uint64_t max_len);
    GgufValue read_value(GgufValueType t, const std::string& key, uint64_t index, int depth);
    GgufValue read_array(const std::string& key, uint64_t index, int depth);
    void read_header(uint64_t& n_tensors, uint64_t& n_kv);
    void read_kvs(uint64_t n_kv);
    void read_alignment();
    void read_tensor_infos(uint64_t n_tensors);
    void check_tensor_layout();

    GgufFile& f_;
    const uint8_t* p_;
    uint64_t size_;
    uint64_t pos_ = 0;
    uint64_t nested_items_ = 0;
};

std::string GgufParser::read_string(const std::string& owner, uint64_t index, uint64_t max_len) {
    const uint64_t len = u64("string length", owner, index);
    if (len > max_len)
        fail(GgufErrorKind::TooLarge, "string length " + std::to_string(len) + " of " +
             where(owner, index) + " exceeds the limit of " + std::to_string(max_len) + " bytes");
    if (len > left())
        fail(GgufErrorKind::TooLarge, "string length " + std::to_string(len) + " of " +
             where(owner, index) + " exceeds the " + std::to_string(left()) +
             " bytes left in the file");
    std::string s(reinterpret_cast<const char*>(p_ + pos_), static_cast<size_t>(len));
    pos_ += len;
    return s;
}

GgufValue GgufParser::read_value(GgufValueType t, const std::string& key, uint64_t index, int depth) {
    const std::string owner = "key '" + key + "'";
    switch (t) {
        case GgufValueType::STRING:
            return GgufValue::str(read_string(owner, index, left()));
        case GgufValueType::ARRAY:
            return read_array(key, index, depth + 1);
        default: {
            const uint64_t bits = read_uint(gguf_value_type_size(t), "value", owner, index);
            return GgufValue::from_bits(t, bits);
        }
    }
}

GgufValue GgufParser::read_array(const std::string& key, uint64_t index, int depth) {
    const std::string owner = "key '" + key + "'";
    if (depth > kGgufMaxNesting)
        fail(GgufErrorKind::NestingTooDeep, where(owner, index) + ": arrays nested deeper than " +
             std::to_string(kGgufMaxNesting) + " levels");
    const uint32_t et = u32("array type", owner, index);
    if (!gguf_value_type_valid(et))
        fail(GgufErrorKind::BadValueType, where(owner, index) + ": unknown array element type " +
             std::to_string(et));
    const auto elem = static_cast<GgufValueType>(et);
    const uint64_t count = u64("array length", owner, index);
    const size_t es = gguf_value_type_size(elem);
    const uint64_t min_elem = es ? es : (elem == GgufValueType::STRING ? 8 : 12);
    // Checked before any allocation: a count of 2^60 must not reach reserve().
    if (count > left() / min_elem)
        fail(GgufErrorKind::TooLarge, where(owner, index) + ": array of " + std::to_string(count) + " " +
             gguf_value_type_name(elem) + " cannot fit in the " + std::to_string(left()) +
             " bytes left in the file");
    if (es) {
        std::vector<uint8_t> bytes(p_ + pos_, p_ + pos_ + count * es);
        pos_ += count * es;
        return GgufValue::packed_array(elem, std::move(bytes));
    }
    if (elem == GgufValueType::STRING) {
        std::vector<std::string> items;
        items.reserve(static_cast<size_t>(count));
        for (uint64_t i = 0; i < count; ++i) items.push_back(read_string(owner, i, left()));
        return GgufValue::string_array(std::move(items));
    }
    // Arrays of arrays cost a heap block per element, far more than their 12 file bytes.
    nested_items_ += count;
    if (nested_items_ > kGgufMaxNestedItems)
        fail(GgufErrorKind::TooLarge, where(owner, index) + ": more than " +
             std::to_string(kGgufMaxNestedItems) + " elements in nested arrays");
    std::vector<GgufValue> items;
    items.reserve(static_cast<size_t>(count));
    for (uint64_t i = 0; i < count; ++i) items.push_back(read_array(key, i, depth + 1));
    return GgufValue::array(GgufValueType::ARRAY, std::move(items));
}

void GgufParser::read_header(uint64_t& n_tensors, uint64_t& n_kv) {
    if (size_ < 4) fail(GgufErrorKind::Truncated, "file is " + std::to_string(size_) + " bytes, too short for a GGUF header");
    if (std::memcmp(p_, "GGUF", 4) != 0) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%02x %02x %02x %02x", p_[0], p_[1], p_[2], p_[3]);
        fail(GgufErrorKind::BadMagic, std::string("not a GGUF file (magic bytes ") + buf +
             ", expected 47 47 55 46 \"GGUF\")");
    }
    pos_ = 4;
    const uint32_t v = u32("version");
    const uint32_t swapped = (v >> 24) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24);
    if (v == 1)
        fail(GgufErrorKind::UnsupportedVersion,
             "GGUF v1 (32-bit counts) is not supported; re-convert the model with a current converter");
    if (v != 2 && v != 3) {
        if (swapped >= 1 && swapped <= 3)
            fail(GgufErrorKind::UnsupportedVersion, "big-endian GGUF file (version " +
                 std::to_string(swapped) + " stored byte-swapped); only little-endian files are supported");
        fail(GgufErrorKind::UnsupportedVersion,
             "GGUF version " + std::to_string(v) + " is not supported (expected 2 or 3)");
    }
    f_.version_ = v;
    n_tensors = u64("tensor count");
    n_kv = u64("metadata count");
    if (n_kv > left() / kMinKvBytes)
        fail(GgufErrorKind::TooLarge, "metadata count " + std::to_string(n_kv) + " cannot fit in the " +
             std::to_string(left()) + " bytes of the file");
    if (n_tensors > left() / kMinTensorInfoBytes)
        fail(GgufErrorKind::TooLarge, "tensor count " + std::to_string(n_tensors) + " cannot fit in the " +
             std::to_string(left()) + " bytes of the file");
}

void GgufParser::read_kvs(uint64_t n_kv) {
    f_.metadata_.reserve(static_cast<size_t>(n_kv));
    for (uint64_t i = 0; i < n_kv; ++i) {
        const std::string owner = "metadata key #" + std::to_string(i);
        std::string key = read_string(owner, kNone, kGgufMaxNameBytes);
        if (!gguf_valid_name(key))
            fail(GgufErrorKind::BadString, owner + " " + quoted(key) +
                 " is empty or not valid UTF-8 text");
        const uint32_t t = u32("value type", "key '" + key + "'");
        if (!gguf_value_type_valid(t))
            fail(GgufErrorKind::BadValueType, "key '" + key + "' has unknown value type " + std::to_string(t));
        GgufValue v = read_value(static_cast<GgufValueType>(t), key, kNone, 0);
        if (!f_.key_index_.emplace(key, f_.metadata_.size()).second)
            fail(GgufErrorKind::DuplicateKey, "key '" + key + "' appears more than once");
        f_.metadata_.emplace_back(std::move(key), std::move(v));
    }
}

void GgufParser::read_alignment() {
    const GgufValue* a = f_.find("general.alignment");
    if (!a) return;
    if (!a->is_integer())
        fail(GgufErrorKind::BadAlignment, std::string("key 'general.alignment' must be an unsigned integer, got ") +
             gguf_value_type_name(a->type()));
    const bool negative = a->type() != GgufValueType::UINT64 && a->as_int() < 0;
    const uint64_t v = negative ? 0 : a->as_uint();
    if (v == 0 || v > kGgufMaxAlignment || (v & (v - 1)) != 0)
        fail(GgufErrorKind::BadAlignment, "key 'general.alignment' = " + a->to_display() +
             " is not a power of two between 1 and " + std::to_string(kGgufMaxAlignment));
    f_.alignment_ = v;
}

void GgufParser::read_tensor_infos(uint64_t n_tensors) {
    if (n_tensors > left() / kMinTensorInfoBytes)
        fail(GgufErrorKind::TooLarge, "tensor count " + std::to_string(n_tensors) + " cannot fit in the " +
             std::to_string(left()) + " bytes left after the metadata");
    f_.tensors_.reserve(static_cast<size_t>(n_tensors));
    for (uint64_t i = 0; i < n_tensors; ++i) {
        GgufTensorInfo t;
        t.name = read_string("the name of tensor #" + std::to_string(i), kNone, kGgufMaxNameBytes);
        if (!gguf_valid_name(t.name))
            fail(GgufErrorKind::BadString, "tensor #" + std::to_string(i) + " name " + quoted(t.name) +
                 " is empty or not valid UTF-8 text");
        const std::string tn = "tensor '" + t.name + "'";
        if (f_.tensor_index_.count(t.name))
            fail(GgufErrorKind::DuplicateTensor, tn + " appears more than once");
        const uint32_t n_dims = u32("dim count", tn);
        if (n_dims < 1 || n_dims > kGgufMaxDims)
            fail(GgufErrorKind::BadTensorDims, tn + " has " + std::to_string(n_dims) +
                 " dims (expected 1 to " + std::to_string(kGgufMaxDims) + ")");
        for (uint32_t d = 0; d < n_dims; ++d) {
            const uint64_t ne = u64("dims", tn);
            if (ne < 1 || ne > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
                fail(GgufErrorKind::BadTensorDims, tn + " has invalid dim ne[" + std::to_string(d) +
                     "] = " + std::to_string(ne));
            t.ne.push_back(static_cast<int64_t>(ne));
        }
        if (!ggml_n_elements(t.ne))
            fail(GgufErrorKind::BadTensorDims, tn + ": element count overflows (dims multiply past 2^63)");
        const uint32_t type = u32("type", tn);
        if (!ggml_type_supported(type))
            fail(GgufErrorKind::BadTensorType, tn + " has unsupported ggml type id " + std::to_string(type) +
                 " (supported: f32 0, f16 1, q8_0 8, bf16 30, tq1_0 34, tq2_0 35, i2_s 36 as in "
                 "bitnet.cpp; upstream ggml may use this id for another type)");
        t.type = static_cast<GgmlType>(type);
        const std::optional<uint64_t> nb = ggml_tensor_nbytes(t.type, t.ne);
        if (!nb)
            fail(GgufErrorKind::BadTensorDims, tn + " (" + ggml_type_name(t.type) + "): row length " +
                 std::to_string(t.ne[0]) + " is not a multiple of the block size " +
                 std::to_string(ggml_type_block_size(t.type)) + ", or the byte size overflows");
        t.nbytes = *nb;
        t.offset = u64("data offset", tn);
        if (t.offset % f_.alignment_ != 0)
            fail(GgufErrorKind::TensorMisaligned, tn + " data offset " + std::to_string(t.offset) +
                 " is not a multiple of the alignment " + std::to_string(f_.alignment_));
        f_.tensor_index_.emplace(t.name, f_.tensors_.size());
        f_.tensors_.push_back(std::move(t));
    }
}

void GgufParser::check_tensor_layout() {
    // pos_ <= size_ and alignment <= 2^30, so this cannot overflow.
    f_.data_offset_ = (pos_ + f_.alignment_ - 1) / f_.alignment_ * f_.alignment_;
    const uint64_t avail = f_.data_offset_ <= size_ ? size_ - f_.data_offset_ : 0;
    for (const GgufTensorInfo& t : f_.tensors_) {
        if (t.offset > avail || t.nbytes > avail - t.offset)
            fail(GgufErrorKind::TensorOutOfBounds, "tensor '" + t.name + "' data (" + std::to_string(t.nbytes) +
                 " bytes at data offset " + std::to_string(t.offset) + ") lies beyond the end of the file (" +
                 std::to_string(avail) + " data bytes; truncated download?)");
    }
    std::vector<const GgufTensorInfo*> order;
    order.reserve(f_.tensors_.size());
    for (const GgufTensorInfo& t : f_.tensors_) order.push_back(&t);
    std::sort(order.begin(), order.end(), [](const GgufTensorInfo* a, const GgufTensorInfo* b) {
        return a->offset < b->offset;
    });
    // Sorted by start, any overlap shows up between neighbours.
    for (size_t i = 1; i < order.size(); ++i) {
        const GgufTensorInfo& a = *order[i - 1];
        const GgufTensorInfo& b = *order[i];
        if (a.offset + a.nbytes > b.offset)
            fail(GgufErrorKind::TensorOverlap, "tensors '" + a.name + "' and '" + b.name +
                 "' overlap (data offsets " + std::to_string(a.offset) + "+" + std::to_string(a.nbytes) +
                 " and " + std::to_string(b.offset) + ")");
    }
}

void GgufParser::parse() {
    uint64_t n_tensors = 0, n_kv = 0;
    read_header(n_tensors, n_kv);
    read_kvs(n_kv);
    read_alignment();
    read_tensor_infos(n_tensors);
    check_tensor_layout();
}

GgufFile GgufFile::open(const std::string& path) {
    GgufFile f;
    f.path_ = path;
    try {
        f.map_ = MappedFile::open(path);
    } catch (const GgufError&) {
        throw;
    } catch (const Error& e) {
        throw GgufError(GgufErrorKind::Io, e.what());
    }
    GgufParser(f).parse();
    return f;
}

// ---- lookups -----------------------------------------------------------------------------

void GgufFile::key_error(GgufErrorKind kind, const std::string& key, const std::string& what) const {
    throw GgufError(kind, path_ + ": key '" + key + "' " + what);
}

const GgufValue* GgufFile::find(const std::string& key) const {
    auto it = key_index_.find(key);
    return it == key_index_.end() ? nullptr : &metadata_[it->second].second;
}

std::optional<std::string> GgufFile::get_string_opt(const std::string& key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (v->type() != GgufValueType::STRING)
        key_error(GgufErrorKind::WrongKeyType, key, std::string("has type ") + gguf_value_type_name(v->type()) +
                  ", expected str");
    return v->as_string();
}

std::string GgufFile::get_string(const std::string& key) const {
    std::optional<std::string> v = get_string_opt(key);
    if (!v) key_error(GgufErrorKind::MissingKey, key, "is missing");
    return *v;
}

std::optional<uint64_t> GgufFile::get_uint_opt(const std::string& key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_integer())
        key_error(GgufErrorKind::WrongKeyType, key, std::string("has type ") + gguf_value_type_name(v->type()) +
                  ", expected an unsigned integer");
    if (v->type() != GgufValueType::UINT64 && v->as_int() < 0)
        key_error(GgufErrorKind::WrongKeyType, key, "is negative (" + v->to_display() + "), expected >= 0");
    return v->as_uint();
}

uint64_t GgufFile::get_uint(const std::string& key) const {
    std::optional<uint64_t> v = get_uint_opt(key);
    if (!v) key_error(GgufErrorKind::MissingKey, key, "is missing");
    return *v;
}

std::optional<double> GgufFile::get_float_opt(const std::string& key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_integer() && !v->is_float())
        key_error(GgufErrorKind::WrongKeyType, key, std::string("has type ") + gguf_value_type_name(v->type()) +
                  ", expected a number");
    return v->as_float();
}

double GgufFile::get_float(const std::string& key) const {
    std::optional<double> v = get_float_opt(key);
    if (!v) key_error(GgufErrorKind::MissingKey, key, "is missing");
    return *v;
}

std::optional<bool> GgufFile::get_bool_opt(const std::string& key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (v->type() != GgufValueType::BOOL)
        key_error(GgufErrorKind::WrongKeyType, key, std::string("has type ") + gguf_value_type_name(v->type()) +
                  ", expected bool");
    return v->as_bool();
}

const GgufValue& GgufFile::get_array(const std::string& key) const {
    const GgufValue* v = find(key);
    if (!v) key_error(GgufErrorKind::MissingKey, key, "is missing");
    if (v->type() != GgufValueType::ARRAY)
        key_error(GgufErrorKind::WrongKeyType, key, std::string("has type ") + gguf_value_type_name(v->type()) +
                  ", expected an array");
    return *v;
}

const GgufTensorInfo* GgufFile::find_tensor(const std::string& name) const {
    auto it = tensor_index_.find(name);
    return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

const GgufTensorInfo& GgufFile::get_tensor(const std::string& name) const {
    const GgufTensorInfo* t = find_tensor(name);
    if (!t) throw GgufError(GgufErrorKind::MissingTensor, path_ + ": tensor '" + name + "' is missing");
    return *t;
}

const uint8_t* GgufFile::tensor_data(const GgufTensorInfo& info) const {
    const uint64_t avail = data_offset_ <= map_.size() ? map_.size() - data_offset_ : 0;
    if (info.offset > avail || info.nbytes > avail - info.offset)
        throw Error(path_ + ": tensor '" + info.name + "' does not lie inside this file");
    return map_.data() + data_offset_ + info.offset;
}

}  // namespace tern
