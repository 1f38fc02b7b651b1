// GGUF write/read round trips: every metadata value type, every tensor type, alignments, v2/v3,
// the typed getters, writer failure handling, and the real GPT-2 vocabulary file.
#include "engine/gguf/gguf_reader.h"
#include "engine/gguf/gguf_writer.h"
#include "tests/engine/test_support.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>

#ifndef _WIN32
#include <csignal>
#include <sys/resource.h>
#endif

using namespace tern;
namespace fs = std::filesystem;

namespace {

// Generated files go to the ctest work folder when there is one, else to the system temp dir.
std::string temp_path(const std::string& name) {
    const char* w = std::getenv("TERN_TEST_WORK");
    fs::path base = (w && *w) ? fs::path(tern_test::work_dir()) : fs::temp_directory_path();
    fs::path dir = base / "tern-gguf-tests";
    fs::create_directories(dir);
    return (dir / name).string();
}

// Deterministic bytes that differ per tensor, so a mix-up of offsets would show.
std::vector<uint8_t> pattern(uint64_t n, uint32_t seed) {
    std::vector<uint8_t> v(n);
    uint32_t x = seed * 2654435761u + 1;
    for (auto& b : v) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b = static_cast<uint8_t>(x);
    }
    return v;
}

GgufValue nested(int depth) {
    GgufValue v = GgufValue::i32_array({depth});
    for (int d = 1; d < depth; ++d) v = GgufValue::array(GgufValueType::ARRAY, {v});
    return v;
}

std::vector<std::pair<std::string, GgufValue>> all_value_kinds() {
    const float nan_bits_kept = std::numeric_limits<float>::quiet_NaN();
    return {
        {"t.u8", GgufValue::u8(200)},
        {"t.i8", GgufValue::i8(-100)},
        {"t.u16", GgufValue::u16(60000)},
        {"t.i16", GgufValue::i16(-30000)},
        {"t.u32", GgufValue::u32(4000000000u)},
        {"t.i32", GgufValue::i32(-2000000000)},
        {"t.f32", GgufValue::f32(3.5f)},
        {"t.f32.nan", GgufValue::f32(nan_bits_kept)},
        {"t.bool.true", GgufValue::boolean(true)},
        {"t.bool.false", GgufValue::boolean(false)},
        {"t.str", GgufValue::str("hello")},
        {"t.str.empty", GgufValue::str("")},
        {"t.str.utf8", GgufValue::str("h\xC3\xA9llo w\xC3\xB6rld \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x99\x82")},
        {"t.str.nul", GgufValue::str(std::string("a\0b", 3))},
        {"t.u64", GgufValue::u64(9223372036854775813ull)},
        {"t.i64", GgufValue::i64(std::numeric_limits<int64_t>::min())},
        {"t.f64", GgufValue::f64(3.141592653589793)},
        {"t.arr.str", GgufValue::string_array({"a", "", "\xC3\xBC", "\xC4\xA0the"})},
        {"t.arr.f32", GgufValue::f32_array({1.5f, -2.25f, 0.0f})},
        {"t.arr.i32", GgufValue::i32_array({-1, 0, 2147483647})},
        {"t.arr.u8", GgufValue::array(GgufValueType::UINT8, {GgufValue::u8(1), GgufValue::u8(255)})},
        {"t.arr.i8", GgufValue::array(GgufValueType::INT8, {GgufValue::i8(-128), GgufValue::i8(127)})},
        {"t.arr.u16", GgufValue::array(GgufValueType::UINT16, {GgufValue::u16(65535)})},
        {"t.arr.i16", GgufValue::array(GgufValueType::INT16, {GgufValue::i16(-32768)})},
        {"t.arr.u32", GgufValue::array(GgufValueType::UINT32, {GgufValue::u32(7), GgufValue::u32(8)})},
        {"t.arr.u64", GgufValue::array(GgufValueType::UINT64, {GgufValue::u64(1ull << 40)})},
        {"t.arr.i64", GgufValue::array(GgufValueType::INT64, {GgufValue::i64(-(1ll << 40))})},
        {"t.arr.f64", GgufValue::array(GgufValueType::FLOAT64, {GgufValue::f64(-0.5), GgufValue::f64(1e300)})},
        {"t.arr.bool", GgufValue::array(GgufValueType::BOOL, {GgufValue::boolean(true), GgufValue::boolean(false)})},
        {"t.arr.empty.str", GgufValue::string_array({})},
        {"t.arr.empty.i32", GgufValue::i32_array({})},
        {"t.arr.empty.arr", GgufValue::array(GgufValueType::ARRAY, {})},
        {"t.arr.nested", GgufValue::array(GgufValueType::ARRAY,
                                          {GgufValue::i32_array({1, 2}), GgufValue::string_array({"x", ""}),
                                           GgufValue::array(GgufValueType::ARRAY, {GgufValue::f32_array({})})})},
        {"t.arr.deepest", nested(kGgufMaxNesting)},
        {"t.\xE3\x82\xAD\xE3\x83\xBC", GgufValue::str("UTF-8 key")},
    };
}

}  // namespace

TEST_CASE("ggml type sizes follow the on-disk formats", "[gguf]") {
    CHECK(ggml_type_supported(0));
    CHECK(ggml_type_supported(36));
    CHECK_FALSE(ggml_type_supported(2));
    CHECK_FALSE(ggml_type_supported(39));
    CHECK(std::string(ggml_type_name(GgmlType::TQ2_0)) == "tq2_0");
    CHECK(std::string(ggml_type_name(GgmlType::I2_S)) == "i2_s");
    CHECK(ggml_type_block_size(GgmlType::I2_S) == 128);
    CHECK(ggml_type_is_ternary(GgmlType::TQ1_0));
    CHECK_FALSE(ggml_type_is_ternary(GgmlType::Q8_0));
    // The official BitNet 2B4T tensor sizes (bitnet-formats.md section 2.2).
    CHECK(ggml_tensor_nbytes(GgmlType::I2_S, {2560, 2560}) == uint64_t{1638432});
    CHECK(ggml_tensor_nbytes(GgmlType::I2_S, {6912, 2560}) == uint64_t{4423712});
    CHECK(ggml_tensor_nbytes(GgmlType::F16, {2560, 128256}) == uint64_t{656670720});
    CHECK(ggml_tensor_nbytes(GgmlType::F32, {6912}) == uint64_t{27648});
    CHECK(ggml_tensor_nbytes(GgmlType::TQ2_0, {512, 3}) == uint64_t{6 * 66});
    CHECK(ggml_tensor_nbytes(GgmlType::TQ1_0, {256}) == uint64_t{54});
    CHECK(ggml_tensor_nbytes(GgmlType::Q8_0, {64, 2}) == uint64_t{4 * 34});
    CHECK_FALSE(ggml_tensor_nbytes(GgmlType::Q8_0, {33}));
    CHECK_FALSE(ggml_tensor_nbytes(GgmlType::I2_S, {64, 2}));
    CHECK_FALSE(ggml_tensor_nbytes(GgmlType::F32, {4, 0}));
    CHECK_FALSE(ggml_tensor_nbytes(GgmlType::F32, {}));
    CHECK_FALSE(ggml_tensor_nbytes(GgmlType::F32, {int64_t{1} << 62}));  // 2^64 bytes
    CHECK_FALSE(ggml_tensor_nbytes(GgmlType::F32, {int64_t{1} << 40, int64_t{1} << 40}));
    CHECK(ggml_row_bytes(GgmlType::I2_S, 2560) == 640);
    CHECK(ggml_row_bytes(GgmlType::TQ1_0, 512) == 108);
    CHECK(ggml_row_bytes(GgmlType::BF16, 10) == 20);
}

TEST_CASE("GgufValue accessors check types and ranges", "[gguf]") {
    CHECK(GgufValue::i8(-5).as_int() == -5);
    CHECK(GgufValue::u16(65535).as_uint() == 65535);
    CHECK(GgufValue::u32(7).as_float() == 7.0);
    CHECK_THROWS_AS(GgufValue::u64(~0ull).as_int(), Error);
    CHECK(GgufValue::u64(~0ull).as_uint() == ~0ull);
    CHECK_THROWS_AS(GgufValue::i32(-1).as_uint(), Error);
    CHECK_THROWS_AS(GgufValue::boolean(true).as_int(), Error);
    CHECK_FALSE(GgufValue::boolean(true).is_integer());
    CHECK_THROWS_AS(GgufValue::str("x").as_float(), Error);
    CHECK_THROWS_AS(GgufValue::u8(1).as_string(), Error);
    CHECK_THROWS_AS(GgufValue::u8(1).array_size(), Error);

    const GgufValue a = GgufValue::array(GgufValueType::INT16, {GgufValue::i16(-3), GgufValue::i16(4)});
    CHECK(a.array_type() == GgufValueType::INT16);
    CHECK(a.as_int_array() == std::vector<int64_t>{-3, 4});
    CHECK(a.as_float_array() == std::vector<float>{-3.0f, 4.0f});
    CHECK(a.at(0) == GgufValue::i16(-3));
    CHECK(a.int_at(1) == 4);
    CHECK_THROWS_AS(a.at(2), Error);
    CHECK_THROWS_AS(a.as_string_array(), Error);
    CHECK_THROWS_AS(GgufValue::array(GgufValueType::INT16, {GgufValue::i32(1)}), Error);
    CHECK_THROWS_AS(GgufValue::array(GgufValueType::UINT64, {GgufValue::u64(~0ull)}).as_int_array(), Error);

    const GgufValue s = GgufValue::array(GgufValueType::STRING, {GgufValue::str("p"), GgufValue::str("q")});
    CHECK(s.as_string_array() == std::vector<std::string>{"p", "q"});
    CHECK(s.at(1).as_string() == "q");
    CHECK(s.string_at(0) == "p");
    CHECK_THROWS_AS(s.as_int_array(), Error);

    CHECK(GgufValue::str("a\"b\n").to_display() == "\"a\\\"b\\n\"");
    CHECK(GgufValue::u32(128256).to_display() == "128256");
    CHECK(GgufValue::i32_array({1, 2, 3}).to_display(2) == "[i32 x 3] [1, 2, ...]");
    CHECK(GgufValue::boolean(false).to_display() == "false");
}

TEST_CASE("GGUF metadata round-trips every value type", "[gguf]") {
    const uint32_t version = GENERATE(2u, 3u);
    const auto kvs = all_value_kinds();
    GgufWriter w;
    for (const auto& kv : kvs) w.add(kv.first, kv.second);
    const std::string path = temp_path("values-v" + std::to_string(version) + ".gguf");
    w.write(path, version);
    CHECK_FALSE(fs::exists(path + ".tmp"));

    const GgufFile f = GgufFile::open(path);
    CHECK(f.version() == version);
    CHECK(f.alignment() == 32);
    CHECK(f.tensors().empty());
    REQUIRE(f.metadata().size() == kvs.size());
    for (size_t i = 0; i < kvs.size(); ++i) {
        INFO("key " << kvs[i].first);
        CHECK(f.metadata()[i].first == kvs[i].first);  // file order is insertion order
        CHECK(f.metadata()[i].second == kvs[i].second);
        CHECK(f.find(kvs[i].first) != nullptr);
    }
    CHECK(f.get_uint("t.u8") == 200);
    CHECK(f.find("t.i8")->as_int() == -100);
    CHECK(f.get_uint("t.u32") == 4000000000u);
    CHECK(f.get_uint("t.u64") == 9223372036854775813ull);
    CHECK(f.find("t.i64")->as_int() == std::numeric_limits<int64_t>::min());
    CHECK(f.get_float("t.f32") == 3.5);
    CHECK(std::isnan(f.get_float("t.f32.nan")));
    CHECK(f.get_float("t.f64") == 3.141592653589793);
    CHECK(f.get_float("t.i16") == -30000.0);
    CHECK(f.get_bool_opt("t.bool.true") == true);
    CHECK(f.get_bool_opt("t.bool.false") == false);
    CHECK(f.get_string("t.str") == "hello");
    CHECK(f.get_string("t.str.empty").empty());
    CHECK(f.get_string("t.str.utf8") == "h\xC3\xA9llo w\xC3\xB6rld \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x99\x82");
    CHECK(f.get_string("t.str.nul") == std::string("a\0b", 3));
    CHECK(f.get_array("t.arr.str").as_string_array() ==
          std::vector<std::string>{"a", "", "\xC3\xBC", "\xC4\xA0the"});
    CHECK(f.get_array("t.arr.f32").as_float_array() == std::vector<float>{1.5f, -2.25f, 0.0f});
    CHECK(f.get_array("t.arr.i32").as_int_array() == std::vector<int64_t>{-1, 0, 2147483647});
    CHECK(f.get_array("t.arr.u8").as_int_array() == std::vector<int64_t>{1, 255});
    CHECK(f.get_array("t.arr.bool").at(0).as_bool());
    CHECK(f.get_array("t.arr.f64").float_at(1) == 1e300);
    CHECK(f.get_array("t.arr.empty.str").array_size() == 0);
    CHECK(f.get_array("t.arr.empty.i32").array_type() == GgufValueType::INT32);
    CHECK(f.get_array("t.arr.empty.arr").array_type() == GgufValueType::ARRAY);
    const GgufValue& n = f.get_array("t.arr.nested");
    REQUIRE(n.array_size() == 3);
    CHECK(n.at(0).as_int_array() == std::vector<int64_t>{1, 2});
    CHECK(n.at(1).as_string_array() == std::vector<std::string>{"x", ""});
    CHECK(n.at(2).at(0).array_size() == 0);
    GgufValue deep = f.get_array("t.arr.deepest");
    for (int d = 1; d < kGgufMaxNesting; ++d) deep = deep.at(0);
    CHECK(deep.int_at(0) == kGgufMaxNesting);
}

TEST_CASE("GGUF getters name the key on missing or mistyped keys", "[gguf]") {
    GgufWriter w;
    w.add("s", GgufValue::str("x"));
    w.add("neg", GgufValue::i32(-4));
    w.add("arr", GgufValue::i32_array({1}));
    const std::string path = temp_path("getters.gguf");
    w.write(path);
    const GgufFile f = GgufFile::open(path);
    auto kind_of = [](auto&& fn) {
        try {
            fn();
        } catch (const GgufError& e) {
            return e.kind;
        }
        return GgufErrorKind::Io;  // "no error" never expected below
    };
    CHECK(kind_of([&] { f.get_string("nope"); }) == GgufErrorKind::MissingKey);
    CHECK(kind_of([&] { f.get_uint("nope"); }) == GgufErrorKind::MissingKey);
    CHECK(kind_of([&] { f.get_float("nope"); }) == GgufErrorKind::MissingKey);
    CHECK(kind_of([&] { f.get_array("nope"); }) == GgufErrorKind::MissingKey);
    CHECK(kind_of([&] { f.get_string("neg"); }) == GgufErrorKind::WrongKeyType);
    CHECK(kind_of([&] { f.get_uint("s"); }) == GgufErrorKind::WrongKeyType);
    CHECK(kind_of([&] { f.get_uint("neg"); }) == GgufErrorKind::WrongKeyType);
    CHECK(kind_of([&] { f.get_float("arr"); }) == GgufErrorKind::WrongKeyType);
    CHECK(kind_of([&] { f.get_bool_opt("s"); }) == GgufErrorKind::WrongKeyType);
    CHECK(kind_of([&] { f.get_array("s"); }) == GgufErrorKind::WrongKeyType);
    CHECK(kind_of([&] { f.get_tensor("w"); }) == GgufErrorKind::MissingTensor);
    CHECK_THROWS_WITH(f.get_string("neg"), Catch::Contains("'neg'"));
    CHECK_FALSE(f.get_string_opt("nope"));
    CHECK_FALSE(f.get_uint_opt("nope"));
    CHECK_FALSE(f.get_float_opt("nope"));
    CHECK_FALSE(f.get_bool_opt("nope"));
    CHECK(f.get_float("neg") == -4.0);
    CHECK(f.find_tensor("w") == nullptr);
}

TEST_CASE("GGUF tensors of every type round-trip byte-exactly", "[gguf]") {
    const uint32_t version = GENERATE(2u, 3u);
    const uint32_t alignment = GENERATE(1u, 8u, 32u, 64u, 4096u);
    struct Spec { std::string name; GgmlType type; std::vector<int64_t> ne; uint64_t nbytes; };
    const std::vector<Spec> specs = {
        {"f32", GgmlType::F32, {5, 3}, 60},
        {"f16", GgmlType::F16, {7, 2}, 28},
        {"bf16", GgmlType::BF16, {3}, 6},
        {"q8_0", GgmlType::Q8_0, {64, 3}, 6 * 34},
        {"tq1_0", GgmlType::TQ1_0, {256, 2}, 2 * 54},
        {"tq2_0", GgmlType::TQ2_0, {512}, 2 * 66},
        {"i2_s", GgmlType::I2_S, {128, 3}, 384 / 4 + 32},
        {"blk.0.four_dims", GgmlType::F32, {2, 3, 4, 5}, 480},
    };
    GgufWriter w;
    w.set_alignment(alignment);
    w.add("general.architecture", GgufValue::str("test"));
    for (size_t i = 0; i < specs.size(); ++i) {
        const auto data = pattern(specs[i].nbytes, static_cast<uint32_t>(i));
        if (i % 2)  // exercise both add_tensor overloads
            w.add_tensor(specs[i].name, specs[i].type, specs[i].ne, data.data(), data.size());
        else
            w.add_tensor(specs[i].name, specs[i].type, specs[i].ne, [data](uint8_t* dst, uint64_t n) {
                REQUIRE(n == data.size());
                std::memcpy(dst, data.data(), n);
            });
    }
    const std::string path = temp_path("tensors-v" + std::to_string(version) + "-a" + std::to_string(alignment) + ".gguf");
    w.write(path, version);

    const GgufFile f = GgufFile::open(path);
    CHECK(f.version() == version);
    CHECK(f.alignment() == alignment);
    // general.alignment is only written when it is not the default.
    CHECK((f.find("general.alignment") != nullptr) == (alignment != 32));
    if (alignment != 32) CHECK(f.find("general.alignment")->type() == GgufValueType::UINT32);
    CHECK(f.data_offset() % alignment == 0);
    REQUIRE(f.tensors().size() == specs.size());
    for (size_t i = 0; i < specs.size(); ++i) {
        const GgufTensorInfo& t = f.tensors()[i];
        INFO("tensor " << specs[i].name);
        CHECK(t.name == specs[i].name);
        CHECK(t.type == specs[i].type);
        CHECK(t.ne == specs[i].ne);
        CHECK(t.nbytes == specs[i].nbytes);
        CHECK(t.offset % alignment == 0);
        CHECK(t.n_elements() == *ggml_n_elements(specs[i].ne));
        CHECK(f.find_tensor(specs[i].name) == &t);
        const auto want = pattern(specs[i].nbytes, static_cast<uint32_t>(i));
        CHECK(std::memcmp(f.tensor_data(t), want.data(), want.size()) == 0);
    }
    CHECK(f.file_size() == fs::file_size(path));
}

TEST_CASE("GgufWriter validates input and replaces keys in place", "[gguf]") {
    GgufWriter w;
    w.add("a", GgufValue::u32(1));
    w.add("b", GgufValue::u32(2));
    w.add("a", GgufValue::str("again"));
    REQUIRE(w.metadata().size() == 2);
    CHECK(w.metadata()[0].first == "a");
    CHECK(w.metadata()[0].second.as_string() == "again");
    CHECK_THROWS_AS(w.set_alignment(48), Error);
    CHECK_THROWS_AS(w.set_alignment(0), Error);
    CHECK_THROWS_AS(w.add("general.alignment", GgufValue::u32(3)), Error);
    CHECK_THROWS_AS(w.add("", GgufValue::u32(3)), Error);
    CHECK_THROWS_AS(w.add("bad\nkey", GgufValue::u32(3)), Error);  // the reader would reject it
    CHECK_THROWS_AS(w.add_tensor("\xFF", GgmlType::F32, {1}, [](uint8_t*, uint64_t) {}), Error);
    CHECK_THROWS_AS(w.add_tensor("q", GgmlType::Q8_0, {33}, [](uint8_t*, uint64_t) {}), Error);
    CHECK_THROWS_AS(w.add_tensor("z", GgmlType::F32, {0}, [](uint8_t*, uint64_t) {}), Error);
    CHECK_THROWS_AS(w.add_tensor("f", GgmlType::F32, {1, 1, 1, 1, 1}, [](uint8_t*, uint64_t) {}), Error);
    const float four[4] = {1, 2, 3, 4};
    CHECK_THROWS_AS(w.add_tensor("c", GgmlType::F32, {3}, four, sizeof four), Error);
    w.add_tensor("c", GgmlType::F32, {4}, four, sizeof four);
    CHECK_THROWS_AS(w.add_tensor("c", GgmlType::F32, {4}, four, sizeof four), Error);
    CHECK_THROWS_AS(w.write(temp_path("never.gguf"), 1), Error);
}

TEST_CASE("GgufWriter cleans up after failures", "[gguf]") {
    const std::string path = temp_path("failing.gguf");
    fs::remove(path);
    SECTION("fill callback throws") {
        GgufWriter w;
        w.add_tensor("t", GgmlType::F32, {8}, [](uint8_t*, uint64_t) { throw std::runtime_error("boom"); });
        CHECK_THROWS_WITH(w.write(path), "boom");
    }
    SECTION("unwritable folder") {
        GgufWriter w;
        w.add("k", GgufValue::u8(1));
        CHECK_THROWS_AS(w.write(temp_path("no-such-dir/x/y.gguf")), Error);
    }
    SECTION("too deeply nested value") {
        GgufWriter w;
        w.add("deep", nested(kGgufMaxNesting + 1));
        CHECK_THROWS_WITH(w.write(path), Catch::Contains("'deep'"));
    }
#ifndef _WIN32
    SECTION("disk full (file size limit)") {
        // RLIMIT_FSIZE makes write() fail with EFBIG like a full disk would (SIGXFSZ ignored).
        struct Guard {
            rlimit old{};
            void (*old_handler)(int) = nullptr;
            Guard() {
                getrlimit(RLIMIT_FSIZE, &old);
                old_handler = std::signal(SIGXFSZ, SIG_IGN);
                rlimit lim = old;
                lim.rlim_cur = 64 * 1024;
                setrlimit(RLIMIT_FSIZE, &lim);
            }
            ~Guard() {
                setrlimit(RLIMIT_FSIZE, &old);
                std::signal(SIGXFSZ, old_handler);
            }
        };
        GgufWriter w;
        w.add_tensor("big", GgmlType::F32, {256 * 1024}, [](uint8_t* d, uint64_t n) { std::memset(d, 1, n); });
        {
            Guard g;
            CHECK_THROWS_WITH(w.write(path), Catch::Contains(path + ".tmp"));
        }
    }
#endif
    CHECK_FALSE(fs::exists(path));
    CHECK_FALSE(fs::exists(path + ".tmp"));
}

TEST_CASE("GgufWriter replaces an existing file", "[gguf]") {
    const std::string path = temp_path("replace.gguf");
    GgufWriter a;
    a.add("v", GgufValue::u32(1));
    a.write(path);
    GgufWriter b;
    b.add("v", GgufValue::u32(2));
    b.write(path);
    CHECK(GgufFile::open(path).get_uint("v") == 2);
}

TEST_CASE("The real GPT-2 vocabulary GGUF opens", "[gguf]") {
    const GgufFile f = GgufFile::open(tern_test::data_dir() + "/tokenizer/gpt-2.gguf");
    CHECK(f.version() == 3);
    CHECK(f.tensors().empty());
    CHECK(f.get_string("tokenizer.ggml.model") == "gpt2");
    CHECK(f.get_string("tokenizer.ggml.pre") == "gpt-2");
    const GgufValue& tokens = f.get_array("tokenizer.ggml.tokens");
    CHECK(tokens.array_type() == GgufValueType::STRING);
    CHECK(tokens.array_size() == 50257);
    CHECK(tokens.as_string_array()[0] == "!");
    CHECK(f.get_array("tokenizer.ggml.merges").array_size() == 50000);
    CHECK_FALSE(tokens.to_display().empty());
}
