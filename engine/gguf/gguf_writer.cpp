#include "engine/gguf/gguf_writer.h"

#include "engine/error.h"
#include "engine/gguf/gguf_reader.h"  // the reader's limits: never write what we would refuse to read

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#ifdef _WIN32
#include <io.h>  // _commit, _fileno: Windows' fsync
#else
#include <unistd.h>
#endif

namespace tern {

namespace {

const char* const kAlignmentKey = "general.alignment";

bool valid_alignment(uint64_t a) {
    return a != 0 && a <= kGgufMaxAlignment && (a & (a - 1)) == 0;
}

// A FILE* that checks every write, so a full disk surfaces as an exception at the first
// failing call instead of as a silently short file.
class OutFile {
public:
    explicit OutFile(const std::string& path) : path_(path) {
        f_ = std::fopen(path.c_str(), "wb");
        if (!f_) fail("cannot create");
    }
    ~OutFile() {
        if (f_) std::fclose(f_);
    }
    OutFile(const OutFile&) = delete;
    OutFile& operator=(const OutFile&) = delete;

    void bytes(const void* p, size_t n) {
        if (n && std::fwrite(p, 1, n, f_) != n) fail("cannot write");
        pos_ += n;
    }
    void uint(uint64_t v, size_t n) {
        uint8_t b[8];
        for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
        bytes(b, n);
    }
    void u32(uint32_t v) { uint(v, 4); }
    void u64(uint64_t v) { uint(v, 8); }
    void str(const std::string& s) {
        u64(s.size());
        bytes(s.data(), s.size());
    }
    void pad_to(uint64_t alignment) {
        static const uint8_t zeros[256] = {};
        uint64_t n = (alignment - pos_ % alignment) % alignment;
        while (n) {
            const size_t k = n < sizeof zeros ? static_cast<size_t>(n) : sizeof zeros;
            bytes(zeros, k);
            n -= k;
        }
    }
    uint64_t pos() const { return pos_; }

    // Buffered data only reaches the disk here, so this is where ENOSPC often shows up.
    void close() {
        if (std::fflush(f_) != 0) fail("cannot write");
        // The rename below must not publish a file whose blocks are not on disk yet.
#ifdef _WIN32
        if (_commit(_fileno(f_)) != 0) fail("cannot sync");
#else
        if (fsync(fileno(f_)) != 0 && errno != EINVAL) fail("cannot sync");
#endif
        FILE* f = f_;
        f_ = nullptr;
        if (std::fclose(f) != 0) fail("cannot close");
    }

private:
    [[noreturn]] void fail(const char* what) {
        throw Error(std::string(what) + " " + path_ + ": " + std::strerror(errno));
    }

    std::string path_;
    FILE* f_ = nullptr;
    uint64_t pos_ = 0;
};

void write_value(OutFile& out, const GgufValue& v, int depth, const std::string& key) {
    switch (v.type()) {
        case GgufValueType::STRING:
            out.str(v.as_string());
            return;
        case GgufValueType::ARRAY: {
            if (depth + 1 > kGgufMaxNesting)
                throw Error("GGUF writer: key '" + key + "' nests arrays deeper than " +
                            std::to_string(kGgufMaxNesting) + " levels");
            const GgufValueType elem = v.array_type();
            out.u32(static_cast<uint32_t>(elem));
            out.u64(v.array_size());
            if (elem == GgufValueType::STRING) {
                for (const std::string& s : v.as_string_array()) out.str(s);
            } else if (elem == GgufValueType::ARRAY) {
                for (size_t i = 0; i < v.array_size(); ++i) write_value(out, v.at(i), depth + 1, key);
            } else {
                out.bytes(v.array_data(), v.array_data_size());  // already little-endian file bytes
            }
            return;
        }
        default:
            out.uint(v.bits(), gguf_value_type_size(v.type()));
            return;
    }
}

}  // namespace

void GgufWriter::set_alignment(uint32_t a) {
    if (!valid_alignment(a))
        throw Error("GGUF writer: alignment " + std::to_string(a) + " is not a power of two up to " +
                    std::to_string(kGgufMaxAlignment));
    alignment_ = a;
    for (auto& kv : kvs_)
        if (kv.first == kAlignmentKey) kv.second = GgufValue::u32(a);
}

void GgufWriter::add(const std::string& key, GgufValue v) {
    if (key.size() > kGgufMaxNameBytes || !gguf_valid_name(key))
        throw Error("GGUF writer: key '" + key.substr(0, 64) + "' is empty, longer than " +
                    std::to_string(kGgufMaxNameBytes) + " bytes, or not UTF-8 text");
    if (key == kAlignmentKey) {
        if (!v.is_integer() || v.as_int() <= 0 || !valid_alignment(v.as_uint()))
            throw Error("GGUF writer: general.alignment = " + v.to_display() + " is not a power of two");
        alignment_ = static_cast<uint32_t>(v.as_uint());
    }
    for (auto& kv : kvs_) {
        if (kv.first == key) {
            kv.second = std::move(v);
            return;
        }
    }
    kvs_.emplace_back(key, std::move(v));
}

void GgufWriter::add_tensor(const std::string& name, GgmlType type, std::vector<int64_t> ne, FillFn fill) {
    const std::string tn = "GGUF writer: tensor '" + name + "'";
    if (name.size() > kGgufMaxNameBytes || !gguf_valid_name(name))
        throw Error(tn + ": name is empty, too long, or not UTF-8 text");
    if (!ggml_type_supported(static_cast<uint32_t>(type))) throw Error(tn + ": unsupported type");
    if (ne.empty() || ne.size() > kGgufMaxDims) throw Error(tn + ": needs 1 to 4 dims");
    const std::optional<uint64_t> nb = ggml_tensor_nbytes(type, ne);
    if (!nb)
        throw Error(tn + " (" + ggml_type_name(type) + "): dims must be >= 1, the row length a multiple of " +
                    std::to_string(ggml_type_block_size(type)) + ", and the size must not overflow");
    if (!fill) throw Error(tn + ": no fill function");
    for (const Tensor& t : tensors_)
        if (t.name == name) throw Error(tn + " added twice");
    tensors_.push_back(Tensor{name, type, std::move(ne), *nb, std::move(fill)});
}

void GgufWriter::add_tensor(const std::string& name, GgmlType type, std::vector<int64_t> ne,
                            const void* data, uint64_t nbytes) {
    const std::optional<uint64_t> expected = ggml_tensor_nbytes(type, ne);
    if (expected && *expected != nbytes)
        throw Error("GGUF writer: tensor '" + name + "' (" + ggml_type_name(type) + ") needs " +
                    std::to_string(*expected) + " bytes, got " + std::to_string(nbytes));
    auto copy = std::make_shared<const std::vector<uint8_t>>(
        static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + (expected ? nbytes : 0));
    add_tensor(name, type, std::move(ne), [copy](uint8_t* dst, uint64_t n) {
        if (n) std::memcpy(dst, copy->data(), static_cast<size_t>(n));
    });
}

void GgufWriter::write_to(const std::string& tmp_path, uint32_t version) const {
    std::vector<std::pair<std::string, GgufValue>> kvs = kvs_;
    bool has_alignment_key = false;
    for (const auto& kv : kvs) has_alignment_key |= kv.first == kAlignmentKey;
    if (alignment_ != 32 && !has_alignment_key) kvs.emplace_back(kAlignmentKey, GgufValue::u32(alignment_));

    OutFile out(tmp_path);
    out.bytes("GGUF", 4);
    out.u32(version);
    out.u64(tensors_.size());
    out.u64(kvs.size());
    for (const auto& kv : kvs) {
        out.str(kv.first);
        out.u32(static_cast<uint32_t>(kv.second.type()));
        write_value(out, kv.second, 0, kv.first);
    }
    // Offsets are relative to the data section; every tensor starts aligned.
    uint64_t offset = 0;
    for (const Tensor& t : tensors_) {
        out.str(t.name);
        out.u32(static_cast<uint32_t>(t.ne.size()));
        for (int64_t d : t.ne) out.u64(static_cast<uint64_t>(d));
        out.u32(static_cast<uint32_t>(t.type));
        out.u64(offset);
        offset += (t.nbytes + alignment_ - 1) / alignment_ * alignment_;
    }
    out.pad_to(alignment_);
    std::vector<uint8_t> buf;  // reused: one tensor in memory at a time
    for (const Tensor& t : tensors_) {
        buf.assign(static_cast<size_t>(t.nbytes), 0);
        t.fill(buf.data(), t.nbytes);
        out.bytes(buf.data(), buf.size());
        out.pad_to(alignment_);
    }
    out.close();
}

void GgufWriter::write(const std::string& path, uint32_t version) const {
    if (version != 2 && version != 3)
        throw Error("GGUF writer: cannot write version " + std::to_string(version) + " (only 2 or 3)");
    const std::string tmp = path + ".tmp";
    std::error_code ec;
    try {
        write_to(tmp, version);
    } catch (...) {
        std::filesystem::remove(tmp, ec);
        throw;
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(tmp, ignored);
        throw Error("cannot rename " + tmp + " to " + path + ": " + ec.message());
    }
}

}  // namespace tern
