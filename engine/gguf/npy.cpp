#include "engine/gguf/npy.h"

#include "engine/error.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>

namespace tern {

namespace {

constexpr char kMagic[] = "\x93NUMPY";  // 6 bytes + implicit NUL
constexpr size_t kMagicLen = 6;
constexpr size_t kAlign = 64;

// Element count of a shape; nullopt if the product (or its byte size) overflows size_t.
std::optional<size_t> element_count(const std::vector<size_t>& shape) {
    size_t n = 1;
    for (size_t d : shape) {
        if (d != 0 && n > std::numeric_limits<size_t>::max() / d) return std::nullopt;
        n *= d;
    }
    if (n > std::numeric_limits<size_t>::max() / 4) return std::nullopt;
    return n;
}

// Python's repr of a tuple: "()", "(3,)", "(2, 3)".
std::string shape_repr(const std::vector<size_t>& shape) {
    std::string s = "(";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i > 0) s += ", ";
        s += std::to_string(shape[i]);
    }
    if (shape.size() == 1) s += ",";
    return s + ")";
}

// Floats go out little-endian whatever the host is; composing the bytes by shifts is portable
// and costs nothing next to the disk write.
void encode_le(const float* src, size_t n, unsigned char* dst) {
    for (size_t i = 0; i < n; ++i) {
        uint32_t u;
        std::memcpy(&u, &src[i], 4);
        for (int b = 0; b < 4; ++b) dst[4 * i + b] = static_cast<unsigned char>(u >> (8 * b));
    }
}

float decode_le(const unsigned char* p) {
    const uint32_t u = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

// --- header dict parser: a Python literal like {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
struct HeaderValue {
    enum Kind { Str, Bool, Tuple } kind;
    std::string str;
    bool boolean = false;
    std::vector<size_t> tuple;
};

class DictParser {
public:
    DictParser(const std::string& text, const std::string& path) : s_(text), path_(path) {}

    std::map<std::string, HeaderValue> parse() {
        std::map<std::string, HeaderValue> out;
        skip_ws();
        expect('{');
        skip_ws();
        while (!at('}')) {
            std::string key = parse_string();
            skip_ws();
            expect(':');
            skip_ws();
            HeaderValue v = parse_value();
            if (!out.emplace(key, std::move(v)).second) fail("duplicate key '" + key + "'");
            skip_ws();
            if (at(',')) {
                ++i_;
                skip_ws();
            } else if (!at('}')) {
                fail("expected ',' or '}'");
            }
        }
        ++i_;
        skip_ws();
        if (i_ != s_.size()) fail("unexpected text after the closing '}'");
        return out;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw Error(path_ + ": malformed .npy header: " + what + " at offset " + std::to_string(i_) +
                    " of header text \"" + s_ + "\"");
    }
    bool at(char c) const { return i_ < s_.size() && s_[i_] == c; }
    void expect(char c) {
        if (!at(c)) fail(std::string("expected '") + c + "'");
        ++i_;
    }
    void skip_ws() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
    }
    std::string parse_string() {
        if (!at('\'') && !at('"')) fail("expected a quoted string");
        const char q = s_[i_++];
        const size_t end = s_.find(q, i_);
        if (end == std::string::npos) fail("unterminated string");
        std::string v = s_.substr(i_, end - i_);
        i_ = end + 1;
        return v;
    }
    HeaderValue parse_value() {
        HeaderValue v{HeaderValue::Str, {}, false, {}};
        if (at('\'') || at('"')) {
            v.str = parse_string();
        } else if (s_.compare(i_, 4, "True") == 0) {
            v.kind = HeaderValue::Bool;
            v.boolean = true;
            i_ += 4;
        } else if (s_.compare(i_, 5, "False") == 0) {
            v.kind = HeaderValue::Bool;
            i_ += 5;
        } else if (at('(')) {
            v.kind = HeaderValue::Tuple;
            ++i_;
            skip_ws();
            while (!at(')')) {
                v.tuple.push_back(parse_uint());
                skip_ws();
                if (at(',')) {
                    ++i_;
                    skip_ws();
                } else if (!at(')')) {
                    fail("expected ',' or ')' in shape");
                }
            }
            ++i_;
        } else {
            fail("expected a string, True, False or a tuple");
        }
        return v;
    }
    size_t parse_uint() {
        if (i_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[i_])))
            fail("expected a non-negative integer dimension");
        size_t v = 0;
        while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) {
            const size_t d = static_cast<size_t>(s_[i_] - '0');
            if (v > (std::numeric_limits<size_t>::max() - d) / 10) fail("dimension too large");
            v = v * 10 + d;
            ++i_;
        }
        if (at('L')) ++i_;  // Python 2 long suffix, still found in old files
        return v;
    }

    const std::string& s_;
    const std::string& path_;
    size_t i_ = 0;
};

void write_all(std::FILE* f, const void* p, size_t n, const std::string& tmp) {
    if (n != 0 && std::fwrite(p, 1, n, f) != n)
        throw Error("cannot write " + tmp + ": " + std::strerror(errno) + " (disk full?)");
}

}  // namespace

void write_npy_f32(const std::string& path, const float* data, const std::vector<size_t>& shape) {
    const auto count = element_count(shape);
    if (!count) throw Error("cannot write " + path + ": shape " + shape_repr(shape) + " is too large");
    if (*count != 0 && data == nullptr) throw Error("cannot write " + path + ": data is null");

    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape_repr(shape) + ", }";
    const size_t preamble = kMagicLen + 2 + 2;
    const size_t unpadded = preamble + header.size() + 1;  // + the final '\n'
    header.append((kAlign - unpadded % kAlign) % kAlign, ' ');
    header += '\n';
    if (header.size() > 0xFFFF)  // only a v2.0 header could hold it; nobody needs that many dims
        throw Error("cannot write " + path + ": shape " + shape_repr(shape) + " needs a header over 64 KiB");

    unsigned char pre[preamble];
    std::memcpy(pre, kMagic, kMagicLen);
    pre[6] = 1;  // version 1.0
    pre[7] = 0;
    pre[8] = static_cast<unsigned char>(header.size() & 0xFF);
    pre[9] = static_cast<unsigned char>(header.size() >> 8);

    const std::string tmp = path + ".tmp";
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw Error("cannot create " + tmp + ": " + std::strerror(errno));
    try {
        write_all(f, pre, preamble, tmp);
        write_all(f, header.data(), header.size(), tmp);
        std::vector<unsigned char> buf;
        const size_t chunk = 16384;  // floats per write: bounded memory for big arrays
        for (size_t done = 0; done < *count; done += chunk) {
            const size_t n = std::min(chunk, *count - done);
            buf.resize(n * 4);
            encode_le(data + done, n, buf.data());
            write_all(f, buf.data(), buf.size(), tmp);
        }
        // Buffered data can fail only here (ENOSPC shows up at flush/close), so both are checked.
        if (std::fflush(f) != 0)
            throw Error("cannot write " + tmp + ": " + std::strerror(errno) + " (disk full?)");
    } catch (...) {
        std::fclose(f);
        std::remove(tmp.c_str());
        throw;
    }
    if (std::fclose(f) != 0) {
        const std::string why = std::strerror(errno);
        std::remove(tmp.c_str());
        throw Error("cannot write " + tmp + ": " + why + " (disk full?)");
    }
    // std::filesystem::rename replaces an existing target on Windows too (std::rename does not).
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        throw Error("cannot rename " + tmp + " to " + path + ": " + ec.message());
    }
}

NpyArray read_npy_f32(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot open " + path + ": " + std::strerror(errno));
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw Error("cannot read " + path);
    const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());

    if (bytes.size() < kMagicLen || std::memcmp(bytes.data(), kMagic, kMagicLen) != 0)
        throw Error(path + ": not a .npy file (magic \\x93NUMPY missing)");
    if (bytes.size() < kMagicLen + 2) throw Error(path + ": truncated .npy file (no version bytes)");
    const unsigned major = u[6], minor = u[7];
    if (major < 1 || major > 3 || minor != 0)
        throw Error(path + ": unsupported .npy version " + std::to_string(major) + "." + std::to_string(minor));
    // v1.0 has a 2-byte header length; v2.0/v3.0 (headers over 64 KiB, UTF-8 in v3) a 4-byte one.
    const size_t len_bytes = major == 1 ? 2 : 4;
    const size_t len_at = kMagicLen + 2;
    if (bytes.size() < len_at + len_bytes) throw Error(path + ": truncated .npy file (no header length)");
    size_t header_len = 0;
    for (size_t b = 0; b < len_bytes; ++b) header_len |= size_t(u[len_at + b]) << (8 * b);
    const size_t data_at = len_at + len_bytes + header_len;
    if (header_len > bytes.size() - (len_at + len_bytes))
        throw Error(path + ": truncated .npy file (header says " + std::to_string(header_len) +
                    " bytes, file has " + std::to_string(bytes.size() - (len_at + len_bytes)) + " after the preamble)");

    const std::string header = bytes.substr(len_at + len_bytes, header_len);
    if (header.empty() || header.back() != '\n')
        throw Error(path + ": malformed .npy header: it must end with a newline");
    const auto dict = DictParser(header, path).parse();

    for (const auto& kv : dict)
        if (kv.first != "descr" && kv.first != "fortran_order" && kv.first != "shape")
            throw Error(path + ": malformed .npy header: unknown key '" + kv.first + "'");
    auto get = [&](const char* key, HeaderValue::Kind kind, const char* what) -> const HeaderValue& {
        const auto it = dict.find(key);
        if (it == dict.end()) throw Error(path + ": malformed .npy header: missing key '" + key + "'");
        if (it->second.kind != kind)
            throw Error(path + ": malformed .npy header: '" + key + "' must be " + what);
        return it->second;
    };
    const std::string& descr = get("descr", HeaderValue::Str, "a string").str;
    if (descr != "<f4")
        throw Error(path + ": unsupported .npy dtype '" + descr + "' (only little-endian float32 '<f4')");
    if (get("fortran_order", HeaderValue::Bool, "True or False").boolean)
        throw Error(path + ": unsupported .npy layout: fortran_order True (only C order)");

    NpyArray out;
    out.shape = get("shape", HeaderValue::Tuple, "a tuple").tuple;
    const auto count = element_count(out.shape);
    if (!count) throw Error(path + ": .npy shape " + shape_repr(out.shape) + " is too large");
    const size_t have = bytes.size() - data_at;
    if (have < *count * 4)
        throw Error(path + ": truncated .npy data: shape " + shape_repr(out.shape) + " needs " +
                    std::to_string(*count * 4) + " bytes, file has " + std::to_string(have));
    if (have > *count * 4)
        throw Error(path + ": .npy file has " + std::to_string(have - *count * 4) +
                    " unexpected bytes after the data of shape " + shape_repr(out.shape));
    out.data.resize(*count);
    for (size_t i = 0; i < *count; ++i) out.data[i] = decode_le(u + data_at + 4 * i);
    return out;
}

}  // namespace tern
