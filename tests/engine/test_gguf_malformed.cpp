// Hostile and broken GGUF files: each class must give a GgufError of the right kind whose message
// names the key or tensor — never a crash, an over-read or a giant allocation.
#include "engine/gguf/gguf_reader.h"
#include "engine/gguf/gguf_writer.h"
#include "tests/engine/test_support.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

using namespace tern;
namespace fs = std::filesystem;

namespace {

std::string temp_path(const std::string& name) {
    const char* w = std::getenv("TERN_TEST_WORK");
    fs::path base = (w && *w) ? fs::path(tern_test::work_dir()) : fs::temp_directory_path();
    fs::path dir = base / "tern-gguf-tests";
    fs::create_directories(dir);
    return (dir / name).string();
}

// Builds GGUF bytes by hand so every field can be made wrong on purpose.
struct Bytes {
    std::string b;
    Bytes& u8(uint8_t v) { b.push_back(static_cast<char>(v)); return *this; }
    Bytes& uint(uint64_t v, int n) {
        for (int i = 0; i < n; ++i) b.push_back(static_cast<char>(v >> (8 * i)));
        return *this;
    }
    Bytes& u32(uint32_t v) { return uint(v, 4); }
    Bytes& u64(uint64_t v) { return uint(v, 8); }
    Bytes& str(const std::string& s) { u64(s.size()); b += s; return *this; }
    Bytes& raw(const std::string& s) { b += s; return *this; }
    Bytes& pad_to(size_t a) { while (b.size() % a) b.push_back('\0'); return *this; }
    Bytes& zeros(size_t n) { b.append(n, '\0'); return *this; }
};

constexpr uint32_t T_U8 = 0, T_U32 = 4, T_I32 = 5, T_STR = 8, T_ARR = 9, T_U64 = 10;

Bytes header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
    Bytes h;
    h.raw("GGUF").u32(version).u64(n_tensors).u64(n_kv);
    return h;
}
Bytes& kv_u32(Bytes& b, const std::string& key, uint32_t v) { return b.str(key).u32(T_U32).u32(v); }
Bytes& tensor(Bytes& b, const std::string& name, std::vector<uint64_t> ne, uint32_t type, uint64_t offset) {
    b.str(name).u32(static_cast<uint32_t>(ne.size()));
    for (uint64_t d : ne) b.u64(d);
    return b.u32(type).u64(offset);
}

void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
}

// Opens the bytes and returns the error; FAILs if the file opened.
GgufError open_error(const std::string& bytes, const std::string& name = "malformed.gguf") {
    const std::string path = temp_path(name);
    write_bytes(path, bytes);
    try {
        GgufFile::open(path);
    } catch (const GgufError& e) {
        return e;
    }
    FAIL("file opened although it is malformed");
    return GgufError(GgufErrorKind::Io, "");
}

void expect(const Bytes& b, GgufErrorKind kind, const std::string& mention) {
    const GgufError e = open_error(b.b);
    INFO("message: " << e.what());
    CHECK(gguf_error_kind_name(e.kind) == std::string(gguf_error_kind_name(kind)));
    CHECK_THAT(e.what(), Catch::Contains(mention));
}

void expect_opens(const Bytes& b) {
    const std::string path = temp_path("valid.gguf");
    write_bytes(path, b.b);
    CHECK_NOTHROW(GgufFile::open(path));
}

// A small valid file with metadata of several kinds and two tensors, whose last tensor ends
// exactly at the end of the file (so every shorter prefix is incomplete).
std::string small_valid_file() {
    GgufWriter w;
    w.add("general.architecture", GgufValue::str("llama"));
    w.add("tokenizer.ggml.tokens", GgufValue::string_array({"a", "bc", ""}));
    w.add("x.nested", GgufValue::array(GgufValueType::ARRAY, {GgufValue::i32_array({1, 2})}));
    w.add("x.f", GgufValue::f32(0.5f));
    const float data[16] = {1, 2, 3};
    w.add_tensor("a.weight", GgmlType::F32, {8}, data, 32);
    w.add_tensor("b.weight", GgmlType::F32, {16}, data, 64);
    const std::string path = temp_path("small.gguf");
    w.write(path);
    return tern_test::read_file(path);
}

}  // namespace

TEST_CASE("GGUF: bad magic", "[gguf]") {
    Bytes b;
    b.raw("GGUX").u32(3).u64(0).u64(0);
    expect(b, GgufErrorKind::BadMagic, "magic");
    Bytes junk;
    junk.raw("<html>not a model</html>");
    expect(junk, GgufErrorKind::BadMagic, "not a GGUF file");
}

TEST_CASE("GGUF: unsupported versions and big-endian files", "[gguf]") {
    expect(header(0, 0, 1), GgufErrorKind::UnsupportedVersion, "v1");
    expect(header(0, 0, 4), GgufErrorKind::UnsupportedVersion, "version 4");
    expect(header(0, 0, 0x03000000), GgufErrorKind::UnsupportedVersion, "big-endian");
    expect(header(0, 0, 0x02000000), GgufErrorKind::UnsupportedVersion, "big-endian");
    expect_opens(header(0, 0, 2));
    expect_opens(header(0, 0, 3));
}

TEST_CASE("GGUF: every truncation of a valid file is an error", "[gguf]") {
    const std::string full = small_valid_file();
    {
        Bytes b;
        b.raw(full);
        expect_opens(b);
    }
    std::map<std::string, int> kinds;
    for (size_t len = 0; len < full.size(); ++len) {
        INFO("prefix length " << len << " of " << full.size());
        const GgufError e = open_error(full.substr(0, len), "truncated.gguf");
        ++kinds[gguf_error_kind_name(e.kind)];
    }
    // Cuts inside fixed fields, inside strings/arrays and inside the tensor data all occur.
    CHECK(kinds["Truncated"] > 0);
    CHECK(kinds["TooLarge"] > 0);
    CHECK(kinds["TensorOutOfBounds"] > 0);
    expect(Bytes{}, GgufErrorKind::Truncated, "too short");
}

TEST_CASE("GGUF: string lengths beyond the file", "[gguf]") {
    Bytes key = header(0, 1);
    key.u64(uint64_t{1} << 60).zeros(32);
    expect(key, GgufErrorKind::TooLarge, "metadata key #0");
    Bytes value = header(0, 1);
    value.str("general.name").u32(T_STR).u64(uint64_t{1} << 60).raw("abc");
    expect(value, GgufErrorKind::TooLarge, "general.name");
    Bytes in_array = header(0, 1);
    in_array.str("tokenizer.ggml.tokens").u32(T_ARR).u32(T_STR).u64(2).str("a").u64(~0ull);
    expect(in_array, GgufErrorKind::TooLarge, "tokenizer.ggml.tokens' element 1");
    Bytes long_key = header(0, 1);
    long_key.str(std::string(kGgufMaxNameBytes + 1, 'k')).u32(T_U8).u8(0);
    expect(long_key, GgufErrorKind::TooLarge, "limit");
}

TEST_CASE("GGUF: huge array counts are rejected before allocating", "[gguf]") {
    for (uint32_t elem : {T_U8, T_U64, T_STR, T_ARR}) {
        INFO("element type " << elem);
        Bytes b = header(0, 1);
        b.str("tokenizer.ggml.scores").u32(T_ARR).u32(elem).u64(uint64_t{1} << 60).zeros(64);
        expect(b, GgufErrorKind::TooLarge, "tokenizer.ggml.scores");
    }
}

TEST_CASE("GGUF: huge tensor and metadata counts", "[gguf]") {
    expect(header(uint64_t{1} << 60, 0), GgufErrorKind::TooLarge, "tensor count");
    expect(header(0, uint64_t{1} << 60), GgufErrorKind::TooLarge, "metadata count");
    expect(header(~0ull, ~0ull), GgufErrorKind::TooLarge, "count");
}

TEST_CASE("GGUF: bad value types", "[gguf]") {
    Bytes b = header(0, 1);
    b.str("general.name").u32(13).u64(0);
    expect(b, GgufErrorKind::BadValueType, "general.name");
    Bytes arr = header(0, 1);
    arr.str("x.list").u32(T_ARR).u32(0xFFFFFFFF).u64(0);
    expect(arr, GgufErrorKind::BadValueType, "x.list");
}

TEST_CASE("GGUF: array nesting depth is limited", "[gguf]") {
    auto nested_file = [](int depth) {
        Bytes b = header(0, 1);
        b.str("x.deep").u32(T_ARR);
        for (int d = 1; d < depth; ++d) b.u32(T_ARR).u64(1);
        b.u32(T_U8).u64(0);
        return b;
    };
    expect_opens(nested_file(kGgufMaxNesting));
    expect(nested_file(kGgufMaxNesting + 1), GgufErrorKind::NestingTooDeep, "x.deep");
    expect(nested_file(100000), GgufErrorKind::NestingTooDeep, "x.deep");  // no stack overflow
}

TEST_CASE("GGUF: duplicate and invalid keys", "[gguf]") {
    Bytes dup = header(0, 2);
    kv_u32(dup, "llama.block_count", 1);
    kv_u32(dup, "llama.block_count", 2);
    expect(dup, GgufErrorKind::DuplicateKey, "llama.block_count");
    Bytes empty = header(0, 1);
    kv_u32(empty, "", 1);
    expect(empty, GgufErrorKind::BadString, "key #0");
    Bytes utf8 = header(0, 1);
    kv_u32(utf8, "bad\xFF\xFEkey", 1);
    expect(utf8, GgufErrorKind::BadString, "key #0");
}

TEST_CASE("GGUF: general.alignment must be a power of two", "[gguf]") {
    for (uint32_t a : {0u, 3u, 48u, 0x80000000u}) {
        INFO("alignment " << a);
        Bytes b = header(0, 1);
        kv_u32(b, "general.alignment", a);
        expect(b, GgufErrorKind::BadAlignment, "general.alignment");
    }
    Bytes s = header(0, 1);
    s.str("general.alignment").u32(T_STR).str("32");
    expect(s, GgufErrorKind::BadAlignment, "general.alignment");
    Bytes neg = header(0, 1);
    neg.str("general.alignment").u32(T_I32).u32(static_cast<uint32_t>(-32));
    expect(neg, GgufErrorKind::BadAlignment, "general.alignment");
    Bytes huge = header(0, 1);
    huge.str("general.alignment").u32(T_U64).u64(uint64_t{1} << 63);
    expect(huge, GgufErrorKind::BadAlignment, "general.alignment");
    // Any unsigned integer type is accepted.
    Bytes u8 = header(0, 1);
    u8.str("general.alignment").u32(T_U8).u8(16);
    expect_opens(u8);
    Bytes u64 = header(0, 1);
    u64.str("general.alignment").u32(T_U64).u64(64);
    expect_opens(u64);
}

namespace {
// One tensor of 16 f32 at `offset` with dims/type as given, data section of data_bytes.
Bytes one_tensor(std::vector<uint64_t> ne, uint32_t type, uint64_t offset = 0, size_t data_bytes = 64,
                 const std::string& name = "blk.0.attn_q.weight") {
    Bytes b = header(1, 0);
    tensor(b, name, std::move(ne), type, offset);
    b.pad_to(32).zeros(data_bytes);
    return b;
}
}  // namespace

TEST_CASE("GGUF: unknown tensor types name the tensor and the id", "[gguf]") {
    expect_opens(one_tensor({16}, 0));
    const GgufError e = open_error(one_tensor({16}, 39).b);
    CHECK(e.kind == GgufErrorKind::BadTensorType);
    CHECK_THAT(e.what(), Catch::Contains("blk.0.attn_q.weight") && Catch::Contains("39") &&
                             Catch::Contains("upstream"));
    expect(one_tensor({16}, 2), GgufErrorKind::BadTensorType, "id 2");
}

TEST_CASE("GGUF: bad tensor dims", "[gguf]") {
    const auto kind = GgufErrorKind::BadTensorDims;
    expect(one_tensor({}, 0), kind, "0 dims");
    expect(one_tensor({1, 1, 1, 1, 16}, 0), kind, "5 dims");
    expect(one_tensor({16, 0}, 0), kind, "ne[1]");
    expect(one_tensor({uint64_t{1} << 63}, 0), kind, "ne[0]");
    expect(one_tensor({uint64_t{1} << 40, uint64_t{1} << 40}, 0), kind, "overflow");
    expect(one_tensor({uint64_t{1} << 62}, 0), kind, "overflow");  // elements fit, bytes do not
    expect(one_tensor({33}, 8), kind, "multiple of the block size 32");
    expect(one_tensor({64, 2}, 36), kind, "blk.0.attn_q.weight");  // I2_S rows are 128-aligned
}

TEST_CASE("GGUF: tensor data outside the file", "[gguf]") {
    expect(one_tensor({16}, 0, 0, 63), GgufErrorKind::TensorOutOfBounds, "blk.0.attn_q.weight");
    expect(one_tensor({16}, 0, 64, 64), GgufErrorKind::TensorOutOfBounds, "blk.0.attn_q.weight");
    expect(one_tensor({16}, 0, uint64_t{1} << 63), GgufErrorKind::TensorOutOfBounds, "blk.0.attn_q.weight");
    expect(one_tensor({16}, 0, ~uint64_t{31}), GgufErrorKind::TensorOutOfBounds, "blk.0.attn_q.weight");
    expect(one_tensor({uint64_t{1} << 40}, 0), GgufErrorKind::TensorOutOfBounds, "blk.0.attn_q.weight");
}

TEST_CASE("GGUF: misaligned tensor offsets", "[gguf]") {
    expect(one_tensor({8}, 0, 4), GgufErrorKind::TensorMisaligned, "blk.0.attn_q.weight");
    Bytes b = header(1, 1);
    kv_u32(b, "general.alignment", 64);
    tensor(b, "t", {8}, 0, 32);
    b.pad_to(64).zeros(128);
    expect(b, GgufErrorKind::TensorMisaligned, "alignment 64");
}

TEST_CASE("GGUF: overlapping and duplicate tensors", "[gguf]") {
    Bytes overlap = header(2, 0);
    tensor(overlap, "first", {16}, 0, 32);   // 64 bytes at 32..96
    tensor(overlap, "second", {8}, 0, 64);   // 32 bytes at 64..96
    overlap.pad_to(32).zeros(128);
    const GgufError e = open_error(overlap.b);
    CHECK(e.kind == GgufErrorKind::TensorOverlap);
    CHECK_THAT(e.what(), Catch::Contains("'first'") && Catch::Contains("'second'"));

    Bytes adjacent = header(2, 0);
    tensor(adjacent, "first", {8}, 0, 32);
    tensor(adjacent, "second", {8}, 0, 0);
    adjacent.pad_to(32).zeros(64);
    expect_opens(adjacent);

    Bytes dup = header(2, 0);
    tensor(dup, "output.weight", {8}, 0, 0);
    tensor(dup, "output.weight", {8}, 0, 32);
    dup.pad_to(32).zeros(64);
    expect(dup, GgufErrorKind::DuplicateTensor, "output.weight");

    expect(one_tensor({8}, 0, 0, 64, ""), GgufErrorKind::BadString, "tensor #0");
}

TEST_CASE("GGUF: a missing file is an Io error", "[gguf]") {
    try {
        GgufFile::open(temp_path("does-not-exist.gguf"));
        FAIL("opened a missing file");
    } catch (const GgufError& e) {
        CHECK(e.kind == GgufErrorKind::Io);
        CHECK_THAT(e.what(), Catch::Contains("does-not-exist.gguf"));
    }
}

TEST_CASE("GGUF: random corruption never escapes as anything but GgufError", "[gguf]") {
    const std::string full = small_valid_file();
    std::mt19937 rng(1234);
    const int kIters = 1000;
    int opened = 0, rejected = 0;
    for (int iter = 0; iter < kIters; ++iter) {
        std::string bytes = full;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < flips; ++k) {
            // Mostly hit the header, where the structure lives.
            const size_t span = (rng() % 4) ? std::min<size_t>(bytes.size(), 400) : bytes.size();
            bytes[rng() % span] = static_cast<char>(rng());
        }
        const std::string path = temp_path("fuzz.gguf");
        write_bytes(path, bytes);
        try {
            GgufFile f = GgufFile::open(path);
            for (const auto& kv : f.metadata()) (void)kv.second.to_display();
            for (const auto& t : f.tensors()) (void)f.tensor_data(t)[t.nbytes - 1];
            ++opened;
        } catch (const GgufError&) {
            ++rejected;
        }
    }
    INFO(opened << " corrupted files opened, " << rejected << " rejected");
    CHECK(rejected > 0);
    CHECK(opened + rejected == kIters);
}
