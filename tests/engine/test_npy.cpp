#include "engine/gguf/npy.h"

#include "engine/error.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// ctest points TERN_TEST_WORK at the build tree; when the binary is run by hand we fall back to
// the system temp folder so the tests still work.
std::string scratch(const std::string& name) {
    const char* env = std::getenv("TERN_TEST_WORK");
    fs::path dir = (env && *env) ? fs::path(env) : fs::temp_directory_path();
    dir /= "npy-test";
    fs::create_directories(dir);
    return (dir / name).string();
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void spit(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A .npy with a hand-written header dict, padded like NumPy (v1/v2 length field).
std::string make_npy(const std::string& dict, const std::string& data, int major = 1) {
    const size_t pre = major == 1 ? 10 : 12;
    std::string header = dict;
    while ((pre + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string out = std::string("\x93NUMPY", 6) + char(major) + char(0);
    const size_t len = header.size();
    out += char(len & 0xFF);
    out += char((len >> 8) & 0xFF);
    if (major != 1) out += std::string(2, '\0');
    return out + header + data;
}

std::string f32_bytes(std::initializer_list<float> v) {
    std::string s;
    for (float f : v) s.append(reinterpret_cast<const char*>(&f), 4);  // test host is little-endian
    return s;
}

void check_rejected(const std::string& name, const std::string& bytes, const char* fragment) {
    const std::string path = scratch(name);
    spit(path, bytes);
    INFO("file " << name << " should fail with a message containing '" << fragment << "'");
    CHECK_THROWS_WITH(tern::read_npy_f32(path), Catch::Contains(fragment));
}

}  // namespace

TEST_CASE("npy round trip 1-D and 2-D", "[npy]") {
    const std::vector<float> v = {1.5f, -2.25f, 0.0f, 3.0e-7f, -1e30f, 42.0f};
    const std::string p1 = scratch("r1.npy");
    tern::write_npy_f32(p1, v.data(), {6});
    auto a = tern::read_npy_f32(p1);
    CHECK(a.shape == std::vector<size_t>{6});
    CHECK(a.data == v);

    const std::string p2 = scratch("r2.npy");
    tern::write_npy_f32(p2, v.data(), {2, 3});
    auto b = tern::read_npy_f32(p2);
    CHECK(b.shape == std::vector<size_t>{2, 3});
    CHECK(b.data == v);
    CHECK_FALSE(fs::exists(p2 + ".tmp"));

    const std::string p0 = scratch("r0.npy");  // 0-d scalar and an empty array
    tern::write_npy_f32(p0, v.data(), {});
    auto c = tern::read_npy_f32(p0);
    CHECK(c.shape.empty());
    CHECK(c.data == std::vector<float>{1.5f});
    tern::write_npy_f32(p0, nullptr, {0, 4});
    auto d = tern::read_npy_f32(p0);
    CHECK(d.shape == std::vector<size_t>{0, 4});
    CHECK(d.data.empty());
}

TEST_CASE("npy data starts on a 64-byte boundary", "[npy]") {
    std::vector<float> v(24, 1.0f);
    const std::vector<std::vector<size_t>> shapes = {{24}, {4, 6}, {2, 3, 4}, {1, 1, 1, 24}, {24, 1}};
    for (const auto& shape : shapes) {
        const std::string p = scratch("align.npy");
        tern::write_npy_f32(p, v.data(), shape);
        const std::string bytes = slurp(p);
        const size_t header_len = static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8;
        CHECK((10 + header_len) % 64 == 0);
        CHECK(bytes[10 + header_len - 1] == '\n');
        CHECK(bytes.size() == 10 + header_len + 24 * 4);
    }
}

TEST_CASE("npy header is byte-exact for a small array", "[npy]") {
    const std::vector<float> v = {1.0f, -2.0f, 0.5f};
    const std::string p = scratch("exact.npy");
    tern::write_npy_f32(p, v.data(), {3});
    // Dict text "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }" is 57 characters.
    // 10 (magic, version, length) + 57 + 1 ('\n') = 68, so 60 spaces pad it to 128 and the
    // header length field is 57 + 60 + 1 = 118 = 0x76.
    std::string expected("\x93NUMPY\x01\x00\x76\x00", 10);
    expected += "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
    expected += std::string(60, ' ');
    expected += '\n';
    // 1.0f = 0x3f800000, -2.0f = 0xc0000000, 0.5f = 0x3f000000, little-endian.
    expected += std::string("\x00\x00\x80\x3f" "\x00\x00\x00\xc0" "\x00\x00\x00\x3f", 12);
    REQUIRE(expected.size() == 140);
    CHECK(slurp(p) == expected);

    // 2-D shapes use Python's tuple repr: "(2, 3)".
    tern::write_npy_f32(p, v.data(), {1, 3});
    CHECK(slurp(p).find("'shape': (1, 3), }") != std::string::npos);
}

TEST_CASE("npy reads NumPy-style variants", "[npy]") {
    const std::string data = f32_bytes({1.0f, 2.0f});
    const std::string p = scratch("variant.npy");
    // Keys in another order, double quotes, the extra growth spaces newer NumPy writes, v2.0.
    spit(p, make_npy("{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<f4\"}   ", data, 2));
    auto a = tern::read_npy_f32(p);
    CHECK(a.shape == std::vector<size_t>{2});
    CHECK(a.data == std::vector<float>{1.0f, 2.0f});
    spit(p, make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2)}", data));
    CHECK(tern::read_npy_f32(p).shape == std::vector<size_t>{1, 2});
}

TEST_CASE("malformed npy files are rejected", "[npy]") {
    const std::string good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
    const std::string data = f32_bytes({1.0f, 2.0f});
    const std::string valid = make_npy(good, data);

    CHECK_THROWS_AS(tern::read_npy_f32(scratch("does-not-exist.npy")), tern::Error);
    check_rejected("empty.npy", "", "not a .npy file");
    check_rejected("magic.npy", "PK\x03\x04 this is a zip", "not a .npy file");
    check_rejected("noversion.npy", std::string("\x93NUMPY", 6), "truncated");
    check_rejected("nolen.npy", std::string("\x93NUMPY\x01\x00\x76", 9), "truncated");
    check_rejected("version.npy", std::string("\x93NUMPY\x04\x00", 8) + valid.substr(8), "version 4.0");
    check_rejected("shortheader.npy", valid.substr(0, 40), "truncated");
    check_rejected("shortdata.npy", valid.substr(0, valid.size() - 1), "truncated .npy data");
    check_rejected("trailing.npy", valid + "x", "unexpected bytes");
    check_rejected("f8.npy", make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", data),
                   "'<f8'");
    check_rejected("bigendian.npy",
                   make_npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", data), "'>f4'");
    check_rejected("fortran.npy", make_npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", data),
                   "fortran_order");
    check_rejected("noshape.npy", make_npy("{'descr': '<f4', 'fortran_order': False, }", data),
                   "missing key 'shape'");
    check_rejected("extrakey.npy",
                   make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 'y'}", data),
                   "unknown key 'x'");
    check_rejected("dupkey.npy",
                   make_npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", data),
                   "duplicate key");
    check_rejected("badshape.npy", make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", data),
                   "dimension");
    check_rejected("shapetype.npy", make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': 2, }", data),
                   "malformed");
    check_rejected("unclosed.npy", make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", data),
                   "malformed");
    check_rejected("garbage.npy", make_npy("{'descr': '<f4'} junk", data), "malformed");
    check_rejected("overflow.npy",
                   make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", data),
                   "too large");
    check_rejected("overflow2.npy",
                   make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", data),
                   "too large");
    // Header without the final newline.
    std::string no_nl = valid;
    no_nl[10 + 117] = ' ';
    check_rejected("nonewline.npy", no_nl, "newline");
}

TEST_CASE("npy write failures throw", "[npy]") {
    const float x = 1.0f;
    CHECK_THROWS_AS(tern::write_npy_f32(scratch("no-such-dir/x.npy"), &x, {1}), tern::Error);
    CHECK_THROWS_AS(tern::write_npy_f32(scratch("null.npy"), nullptr, {3}), tern::Error);
    // A directory in the way of the rename.
    const std::string dir = scratch("a-directory.npy");
    fs::create_directories(dir);
    fs::create_directories(fs::path(dir) / "child");
    CHECK_THROWS_AS(tern::write_npy_f32(dir, &x, {1}), tern::Error);
    CHECK_FALSE(fs::exists(dir + ".tmp"));
}
