// I2_S / TQ2_0 / TQ1_0 packing: round trips, hand-computed byte layouts, argument checks.
#include <catch2/catch.hpp>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/fp16.h"
#include "kernels/ternary_formats.h"

using namespace tern::kernels;

namespace {

// The edge patterns every format must survive, plus random data.
std::vector<std::pair<std::string, std::vector<int8_t>>> patterns(size_t n) {
  tern_ktest::Rng rng(n);
  std::vector<std::pair<std::string, std::vector<int8_t>>> p;
  p.emplace_back("all -1", std::vector<int8_t>(n, -1));
  p.emplace_back("all 0", std::vector<int8_t>(n, 0));
  p.emplace_back("all +1", std::vector<int8_t>(n, 1));
  std::vector<int8_t> alt(n), alt3(n);
  for (size_t i = 0; i < n; ++i) {
    alt[i] = (i % 2) ? 1 : -1;
    alt3[i] = static_cast<int8_t>(static_cast<int>(i % 3) - 1);
  }
  p.emplace_back("alternating -1/+1", alt);
  p.emplace_back("cycling -1/0/+1", alt3);
  p.emplace_back("random", tern_ktest::random_ternary(rng, n));
  return p;
}

constexpr uint64_t tq2_bytes(int64_t n) { return static_cast<uint64_t>(n / 256) * 66; }
constexpr uint64_t tq1_bytes(int64_t n) { return static_cast<uint64_t>(n / 256) * 54; }

}  // namespace

TEST_CASE("I2_S pack/unpack round trip keeps values and scale", "[kernels]") {
  CHECK(i2s_nbytes(128) == 64);
  CHECK(i2s_nbytes(2560 * 2560) == 2560 * 2560 / 4 + 32);
  for (int64_t n : {128, 256, 2560, 6912}) {
    for (const auto& [name, t] : patterns(static_cast<size_t>(n))) {
      INFO("n = " << n << ", pattern " << name);
      std::vector<uint8_t> buf(i2s_nbytes(n), 0xCC);
      i2s_pack(t.data(), n, 0.8125f, buf.data());
      std::vector<int8_t> back(static_cast<size_t>(n), 42);
      CHECK(i2s_unpack(buf.data(), n, back.data()) == 0.8125f);
      CHECK(back == t);
      // Tail: scale, then zero padding (not left over garbage).
      float s;
      std::memcpy(&s, buf.data() + n / 4, 4);
      CHECK(s == 0.8125f);
      for (int64_t i = n / 4 + 4; i < n / 4 + 32; ++i) CHECK(buf[static_cast<size_t>(i)] == 0);
    }
  }
}

TEST_CASE("I2_S byte layout: MSB-first, byte j holds values j, j+32, j+64, j+96", "[kernels]") {
  std::vector<int8_t> t(256, 0);  // code 1 everywhere -> 0b01010101
  t[0] = 1;          // block 0 byte 0 bits 7..6 = 2
  t[32 + 5] = -1;    // byte 5 bits 5..4 = 0
  t[64 + 10] = 1;    // byte 10 bits 3..2 = 2
  t[96 + 10] = -1;   // byte 10 bits 1..0 = 0
  t[127] = 1;        // byte 31 bits 1..0 = 2
  t[128] = -1;       // block 1 (byte 32) bits 7..6 = 0
  t[128 + 96 + 31] = 1;  // byte 63 bits 1..0 = 2
  std::vector<uint8_t> buf(i2s_nbytes(256));
  i2s_pack(t.data(), 256, 1.5f, buf.data());
  CHECK(buf[0] == 0x95);
  CHECK(buf[1] == 0x55);
  CHECK(buf[5] == 0x45);
  CHECK(buf[10] == 0x58);
  CHECK(buf[31] == 0x56);
  CHECK(buf[32] == 0x15);
  CHECK(buf[63] == 0x56);
  // 1.5f = 0x3FC00000, little-endian right after the 64 packed bytes.
  CHECK(buf[64] == 0x00);
  CHECK(buf[65] == 0x00);
  CHECK(buf[66] == 0xC0);
  CHECK(buf[67] == 0x3F);
}

TEST_CASE("TQ2_0 pack/unpack round trip keeps values and block scales", "[kernels]") {
  for (int64_t n : {256, 512, 2560}) {
    for (const auto& [name, t] : patterns(static_cast<size_t>(n))) {
      INFO("n = " << n << ", pattern " << name);
      std::vector<uint8_t> buf(tq2_bytes(n));
      tq2_0_pack(t.data(), n, 0.0234375f, buf.data());
      std::vector<int8_t> back(static_cast<size_t>(n));
      std::vector<float> d(static_cast<size_t>(n / 256), -1.0f);
      tq2_0_unpack(buf.data(), n, back.data(), d.data());
      CHECK(back == t);
      for (float di : d) CHECK(di == 0.0234375f);
      tq2_0_unpack(buf.data(), n, back.data(), nullptr);  // scales are optional
      CHECK(back == t);
    }
  }
}

TEST_CASE("TQ2_0 byte layout: LSB-first within each 128-value half, fp16 d last", "[kernels]") {
  std::vector<int8_t> t(256, 0);
  t[0] = 1;         // qs[0] bits 1..0 = 2
  t[32 + 3] = -1;   // qs[3] bits 3..2 = 0
  t[96 + 7] = 1;    // qs[7] bits 7..6 = 2
  t[128] = -1;      // second half: qs[32] bits 1..0 = 0
  t[255] = 1;       // qs[63] bits 7..6 = 2
  std::vector<uint8_t> buf(66);
  tq2_0_pack(t.data(), 256, 0.5f, buf.data());
  CHECK(buf[0] == 0x56);
  CHECK(buf[1] == 0x55);
  CHECK(buf[3] == 0x51);
  CHECK(buf[7] == 0x95);
  CHECK(buf[32] == 0x54);
  CHECK(buf[63] == 0x95);
  CHECK(buf[64] == 0x00);  // fp16 0.5 = 0x3800
  CHECK(buf[65] == 0x38);
}

TEST_CASE("TQ1_0 pack/unpack round trip keeps values and block scales", "[kernels]") {
  for (int64_t n : {256, 512, 2560}) {
    for (const auto& [name, t] : patterns(static_cast<size_t>(n))) {
      INFO("n = " << n << ", pattern " << name);
      std::vector<uint8_t> buf(tq1_bytes(n));
      tq1_0_pack(t.data(), n, 2.0f, buf.data());
      std::vector<int8_t> back(static_cast<size_t>(n));
      std::vector<float> d(static_cast<size_t>(n / 256));
      tq1_0_unpack(buf.data(), n, back.data(), d.data());
      CHECK(back == t);
      for (float di : d) CHECK(di == 2.0f);
    }
  }
}

TEST_CASE("TQ1_0 byte layout: base-3 digits scaled to a byte", "[kernels]") {
  std::vector<uint8_t> buf(54);
  std::vector<int8_t> t(256, 0);
  tq1_0_pack(t.data(), 256, 1.0f, buf.data());
  // Codes 11111 (base 3) = 121 -> ceil(121·256/243) = 128; qh: 1111 = 40, ×3 = 120 -> 127.
  for (int i = 0; i < 48; ++i) CHECK(buf[i] == 128);
  for (int i = 48; i < 52; ++i) CHECK(buf[i] == 127);
  CHECK(buf[52] == 0x00);  // fp16 1.0 = 0x3C00
  CHECK(buf[53] == 0x3C);

  t.assign(256, 1);  // 22222 = 242 -> 255; qh 2222 = 80, ×3 = 240 -> 253
  tq1_0_pack(t.data(), 256, 1.0f, buf.data());
  CHECK(buf[0] == 255);
  CHECK(buf[47] == 255);
  CHECK(buf[48] == 253);

  t.assign(256, 0);
  t[0] = 1;          // qs[0] = 21111 = 202 -> ceil(202·256/243) = 213
  t[32 * 4 + 1] = -1;  // qs[1] last digit 0: 11110 = 120 -> 127
  t[160 + 16 + 2] = 1; // qs[34] second digit: 12111 = 148 -> ceil(148·256/243) = 156
  t[240 + 3 + 12] = -1; // qh[3] last digit: 1110 = 39, ×3 = 117 -> ceil(117·256/243) = 124
  tq1_0_pack(t.data(), 256, 1.0f, buf.data());
  CHECK(buf[0] == 213);
  CHECK(buf[1] == 127);
  CHECK(buf[34] == 156);
  CHECK(buf[48 + 3] == 124);
  CHECK(buf[48 + 2] == 127);
}

TEST_CASE("TQ1_0 round trips every 5-trit and 4-trit combination", "[kernels]") {
  std::vector<int8_t> t(256), back(256);
  std::vector<uint8_t> buf(54);
  int bad = 0;
  for (int c = 0; c < 243; ++c) {
    t.assign(256, 0);
    int v = c;
    for (int n = 4; n >= 0; --n, v /= 3) {
      t[static_cast<size_t>(7 + 32 * n)] = static_cast<int8_t>(v % 3 - 1);     // qs[7]
      t[static_cast<size_t>(160 + 9 + 16 * n)] = static_cast<int8_t>(v % 3 - 1);  // qs[32 + 9]
    }
    if (c < 81) {
      int w = c;
      for (int m = 3; m >= 0; --m, w /= 3) t[static_cast<size_t>(240 + 1 + 4 * m)] = static_cast<int8_t>(w % 3 - 1);
    }
    tq1_0_pack(t.data(), 256, 1.0f, buf.data());
    tq1_0_unpack(buf.data(), 256, back.data(), nullptr);
    if (back != t) ++bad;
  }
  REQUIRE(bad == 0);

  // Any byte at all decodes to valid ternary values (no out-of-range trits from corrupt data).
  for (int b = 0; b < 256; ++b) {
    std::vector<uint8_t> blk(54, static_cast<uint8_t>(b));
    tq1_0_unpack(blk.data(), 256, back.data(), nullptr);
    for (int8_t x : back) REQUIRE((x >= -1 && x <= 1));
  }
}

TEST_CASE("Invalid 2-bit code 3 decodes as 0", "[kernels]") {
  std::vector<uint8_t> i2s(i2s_nbytes(128), 0xFF);
  std::vector<int8_t> t(256, 5);
  i2s_unpack(i2s.data(), 128, t.data());
  for (int i = 0; i < 128; ++i) CHECK(t[static_cast<size_t>(i)] == 0);
  std::vector<uint8_t> tq2(66, 0xFF);
  tq2[64] = 0x00;
  tq2[65] = 0x3C;
  tq2_0_unpack(tq2.data(), 256, t.data(), nullptr);
  for (int8_t x : t) CHECK(x == 0);
}

TEST_CASE("TQ quantizers follow ggml: d = block absmax, round half away from zero", "[kernels]") {
  tern_ktest::Rng rng(11);
  std::vector<float> x = tern_ktest::random_floats(rng, 512, -2.0f, 2.0f);
  x[3] = 4.0f;     // block 0 absmax
  x[300] = -3.0f;  // block 1 absmax (negative)
  x[10] = 2.0f;    // exactly 0.5·d -> +1
  x[11] = -2.0f;   // -> -1
  x[12] = 1.99f;   // < 0.5·d -> 0
  std::vector<int8_t> expect(512);
  const float amax[2] = {4.0f, 3.0f};
  for (size_t i = 0; i < 512; ++i) {
    const float r = x[i] * (1.0f / amax[i / 256]);
    expect[i] = static_cast<int8_t>(r >= 0.5f ? 1 : (r <= -0.5f ? -1 : 0));
  }
  std::vector<uint8_t> b2(2 * 66), b1(2 * 54);
  tq2_0_quantize(x.data(), 512, b2.data());
  tq1_0_quantize(x.data(), 512, b1.data());
  std::vector<int8_t> t2(512), t1(512);
  float d2[2], d1[2];
  tq2_0_unpack(b2.data(), 512, t2.data(), d2);
  tq1_0_unpack(b1.data(), 512, t1.data(), d1);
  CHECK(t2 == expect);
  CHECK(t1 == expect);
  CHECK(d2[0] == 4.0f);
  CHECK(d2[1] == 3.0f);
  CHECK(d1[0] == 4.0f);
  CHECK(d1[1] == 3.0f);

  std::vector<float> zeros(256, 0.0f);  // d = 0 must not divide by zero
  tq2_0_quantize(zeros.data(), 256, b2.data());
  tq2_0_unpack(b2.data(), 256, t2.data(), d2);
  CHECK(d2[0] == 0.0f);
  for (int i = 0; i < 256; ++i) CHECK(t2[static_cast<size_t>(i)] == 0);
}

TEST_CASE("Ternary packers reject bad sizes and non-ternary values", "[kernels]") {
  std::vector<int8_t> t(512, 0);
  std::vector<uint8_t> buf(4096);
  std::vector<float> x(512, 0.0f);
  CHECK_THROWS_AS(i2s_pack(t.data(), 100, 1.0f, buf.data()), std::invalid_argument);
  CHECK_THROWS_AS(i2s_unpack(buf.data(), 64, t.data()), std::invalid_argument);
  CHECK_THROWS_AS(tq2_0_pack(t.data(), 128, 1.0f, buf.data()), std::invalid_argument);
  CHECK_THROWS_AS(tq1_0_quantize(x.data(), -256, buf.data()), std::invalid_argument);
  CHECK_THROWS_AS(tq1_0_unpack(buf.data(), 300, t.data(), nullptr), std::invalid_argument);
  t[77] = 2;
  CHECK_THROWS_WITH(i2s_pack(t.data(), 128, 1.0f, buf.data()), Catch::Contains("index 77"));
  CHECK_THROWS_AS(tq2_0_pack(t.data(), 256, 1.0f, buf.data()), std::invalid_argument);
  CHECK_THROWS_AS(tq1_0_pack(t.data(), 256, 1.0f, buf.data()), std::invalid_argument);
  // n == 0 is valid: only the I2_S tail is written.
  t[77] = 0;
  i2s_pack(t.data(), 0, 3.0f, buf.data());
  CHECK(i2s_unpack(buf.data(), 0, t.data()) == 3.0f);
}
