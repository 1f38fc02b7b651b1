// Ternary GEMV/GEMM and the activation quantiser at every dispatch level this CPU supports,
// bit for bit against the scalar references, on random and edge-case inputs; and the load-time
// repacking into I2S_R4.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>

#include "kernel_test_util.h"
#include "kernels/act_quant.h"
#include "kernels/dispatch.h"
#include "kernels/fp16.h"
#include "kernels/ternary_dot.h"
#include "kernels/ternary_formats.h"
#include "kernels/ternary_gemm.h"

using namespace tern::kernels;
using tern_ktest::level_name;
using tern_ktest::levels_to_test;

namespace {

struct Problem {
  int64_t rows, k;
  int n_tokens;
  std::vector<uint8_t> i2s;  // I2_S bytes (with tail)
  std::vector<int8_t> q;
  std::vector<int32_t> qsum;
  std::vector<float> factor;
};

// Random ternary weights (optionally with a sprinkling of invalid code 3) and activations.
Problem make_problem(tern_ktest::Rng& rng, int64_t rows, int64_t k, int n_tokens, bool code3) {
  Problem p{rows, k, n_tokens, {}, {}, {}, {}};
  const auto w = tern_ktest::random_ternary(rng, static_cast<size_t>(rows * k));
  p.i2s.resize(i2s_nbytes(rows * k));
  i2s_pack(w.data(), rows * k, 0.75f, p.i2s.data());
  if (code3)
    for (size_t i = 0; i < static_cast<size_t>(rows * k / 4); ++i)
      if (rng.next() % 7 == 0) p.i2s[i] |= static_cast<uint8_t>(3u << (2 * (rng.next() % 4)));
  p.q = tern_ktest::random_i8(rng, static_cast<size_t>(n_tokens * k));
  for (int t = 0; t < n_tokens; ++t) {
    int32_t s = 0;
    for (int64_t i = 0; i < k; ++i) s += p.q[t * k + i];
    p.qsum.push_back(s);
    p.factor.push_back(rng.uniform(0.001f, 0.01f));
  }
  return p;
}

TernaryGemm gemm_of(const Problem& p, TernaryLayout layout, const uint8_t* w, float* y) {
  TernaryGemm g;
  g.layout = layout;
  g.w = w;
  g.rows = p.rows;
  g.k = p.k;
  g.w_scale = 0.75f;
  g.q = p.q.data();
  g.qsum = p.qsum.data();
  g.factor = p.factor.data();
  g.n_tokens = p.n_tokens;
  g.y = y;
  g.ldy = p.rows + 3;  // a row stride other than `rows` catches indexing mistakes
  return g;
}

std::vector<uint8_t> repack(const Problem& p) {
  std::vector<uint8_t> r4(i2s_r4_nbytes(p.rows, p.k));
  const int64_t groups = (p.rows + 3) / 4;
  // In two calls, as two threads would.
  i2s_repack_r4(p.i2s.data(), p.rows, p.k, r4.data(), 0, groups / 2);
  i2s_repack_r4(p.i2s.data(), p.rows, p.k, r4.data(), groups / 2, groups);
  return r4;
}

// Runs `g` over [0, rows) split at `split` (a multiple of 4), returns y.
std::vector<float> run(void (*fn)(const TernaryGemm&, int64_t, int64_t), TernaryGemm g, int64_t split) {
  std::vector<float> y(static_cast<size_t>(g.n_tokens * g.ldy), -1.0f);
  g.y = y.data();
  fn(g, 0, split);
  fn(g, split, g.rows);
  return y;
}

void check_all_levels(const Problem& p) {
  const std::vector<uint8_t> r4 = repack(p);
  // The reference on the file layout, and the reference via Σ i2s_dot_i8 as a second opinion.
  const std::vector<float> want = run(ternary_gemm_ref, gemm_of(p, TernaryLayout::I2S, p.i2s.data(), nullptr), 0);
  for (int64_t r = 0; r < p.rows; ++r)
    for (int t = 0; t < p.n_tokens; ++t) {
      const int32_t dot = i2s_dot_i8(p.i2s.data() + r * p.k / 4, p.q.data() + t * p.k, p.k);
      REQUIRE(want[t * (p.rows + 3) + r] == (static_cast<float>(dot) * 0.75f) * p.factor[t]);
    }
  const int64_t split = (p.rows / 2) / 4 * 4;
  for (auto level : levels_to_test()) {
    INFO("level " << level_name(level) << ", rows " << p.rows << ", k " << p.k << ", tokens " << p.n_tokens);
    const auto fn = kernel_table(level).ternary_gemm;
    CHECK(run(fn, gemm_of(p, TernaryLayout::I2S, p.i2s.data(), nullptr), split) == want);
    CHECK(run(fn, gemm_of(p, TernaryLayout::I2S_R4, r4.data(), nullptr), split) == want);
  }
}

}  // namespace

TEST_CASE("ternary GEMV/GEMM: every level equals the reference bit for bit", "[kernels]") {
  tern_ktest::Rng rng(301);
  for (int64_t k : {128, 256, 384, 2560})
    for (int64_t rows : {1, 3, 4, 5, 8, 13, 36})
      for (int n : {1, 2, 3, 8, 9}) check_all_levels(make_problem(rng, rows, k, n, rows % 2 == 1));
  // More rows than one 64-row slab (not a multiple of 4), several K slices, a partial tile.
  check_all_levels(make_problem(rng, 150, 2560 + 1024, 19, false));
  // Every width of the GEMM's last token tile (8 tokens per tile), rows not a multiple of 4.
  for (int n : {4, 5, 6, 7, 12, 15, 16, 23}) check_all_levels(make_problem(rng, 7, 2048 + 128, n, n % 2 == 0));
  // Shapes of BitNet b1.58 2B4T (fewer rows), more tokens than one 64-token chunk, odd counts.
  check_all_levels(make_problem(rng, 20, 6912, 1, true));
  check_all_levels(make_problem(rng, 17, 6912, 11, false));
  check_all_levels(make_problem(rng, 9, 2560, 70, true));
  check_all_levels(make_problem(rng, 24, 1024, 64, false));
}

TEST_CASE("ternary GEMM extremes: int16 accumulation periods stay exact", "[kernels]") {
  // All weights +1 or -1 against all activations -128 or +127 drive every partial sum to its
  // bound; K = 6912 spans several accumulation periods. Plus all-code-3 (invalid) data.
  tern_ktest::Rng rng(302);
  for (int wv : {1, -1})
    for (int qv : {-128, 127})
      for (int n : {1, 5, 15}) {  // 15: the VNNI GEMM's tiles of 8, 4, 2 and 1 tokens
        Problem p = make_problem(rng, 8, 6912, n, false);
        std::vector<int8_t> w(static_cast<size_t>(p.rows * p.k), static_cast<int8_t>(wv));
        i2s_pack(w.data(), p.rows * p.k, 1.0f, p.i2s.data());
        std::fill(p.q.begin(), p.q.end(), static_cast<int8_t>(qv));
        for (int t = 0; t < n; ++t) p.qsum[t] = qv * static_cast<int32_t>(p.k);
        check_all_levels(p);
      }
  // Random ±1 weights (no zeros) against activations at -128, -127 and 127 only, through the
  // VNNI GEMM's slices (32 blocks: K = 4224 is one slice and one block) and two 64-row slabs.
  {
    Problem p = make_problem(rng, 70, 4224, 11, false);
    std::vector<int8_t> w(static_cast<size_t>(p.rows * p.k));
    for (auto& v : w) v = (rng.next() & 1) ? 1 : -1;
    i2s_pack(w.data(), p.rows * p.k, 1.0f, p.i2s.data());
    const int8_t ext[3] = {-128, -127, 127};
    for (auto& v : p.q) v = ext[rng.next() % 3];
    for (int t = 0; t < p.n_tokens; ++t) {
      p.qsum[t] = 0;
      for (int64_t i = 0; i < p.k; ++i) p.qsum[t] += p.q[t * p.k + i];
    }
    check_all_levels(p);
  }
  Problem bad = make_problem(rng, 6, 2560, 3, false);
  std::fill(bad.i2s.begin(), bad.i2s.begin() + bad.rows * bad.k / 4, 0xFF);
  check_all_levels(bad);
}

TEST_CASE("TQ2_0 / TQ1_0 with one block scale repack to I2S_R4 with identical results", "[kernels]") {
  tern_ktest::Rng rng(303);
  const int64_t rows = 6, k = 512;
  const int n = 3;
  auto w = tern_ktest::random_ternary(rng, static_cast<size_t>(rows * k));
  std::fill(w.begin() + 256, w.begin() + 512, 0);  // one all-zero block (d = 0 when quantised)
  std::vector<float> x(w.begin(), w.end());
  for (float& v : x) v *= 0.37f;
  const auto q = tern_ktest::random_i8(rng, static_cast<size_t>(n * k));
  std::vector<int32_t> qsum(n, 0);
  for (int t = 0; t < n; ++t)
    for (int64_t i = 0; i < k; ++i) qsum[t] += q[t * k + i];
  const std::vector<float> factor = {0.5f, 0.25f, 0.125f};
  for (int fmt = 0; fmt < 2; ++fmt) {
    const int64_t bb = fmt == 0 ? 66 : 54;
    std::vector<uint8_t> src(static_cast<size_t>(rows * k / 256 * bb));
    if (fmt == 0) tq2_0_quantize(x.data(), rows * k, src.data());
    else tq1_0_quantize(x.data(), rows * k, src.data());
    float d = 0;
    REQUIRE((fmt == 0 ? tq2_0_uniform_scale(src.data(), rows, k, &d) : tq1_0_uniform_scale(src.data(), rows, k, &d)));
    CHECK(d == fp16_to_f32(f32_to_fp16(0.37f)));
    std::vector<uint8_t> r4(i2s_r4_nbytes(rows, k));
    if (fmt == 0) tq2_0_repack_r4(src.data(), rows, k, r4.data(), 0, (rows + 3) / 4);
    else tq1_0_repack_r4(src.data(), rows, k, r4.data(), 0, (rows + 3) / 4);
    for (auto level : levels_to_test()) {
      INFO((fmt == 0 ? "tq2_0" : "tq1_0") << " level " << level_name(level));
      TernaryGemm g;
      g.layout = TernaryLayout::I2S_R4;
      g.w = r4.data();
      g.rows = rows;
      g.k = k;
      g.w_scale = d;
      g.q = q.data();
      g.qsum = qsum.data();
      g.factor = factor.data();
      g.n_tokens = n;
      std::vector<float> y(static_cast<size_t>(n * rows));
      g.y = y.data();
      g.ldy = rows;
      kernel_table(level).ternary_gemm(g, 0, rows);
      for (int64_t r = 0; r < rows; ++r)
        for (int t = 0; t < n; ++t) {
          const uint8_t* row = src.data() + r * (k / 256) * bb;
          const float dot = fmt == 0 ? tq2_0_dot_i8(row, q.data() + t * k, k) : tq1_0_dot_i8(row, q.data() + t * k, k);
          CHECK(y[t * rows + r] == dot * factor[t]);
        }
    }
    // A second block scale makes the repack refuse.
    const uint16_t other = f32_to_fp16(0.5f);
    std::memcpy(src.data() + bb - 2, &other, 2);
    CHECK_FALSE((fmt == 0 ? tq2_0_uniform_scale(src.data(), rows, k, &d) : tq1_0_uniform_scale(src.data(), rows, k, &d)));
  }
}

TEST_CASE("I2S_R4 repack pads rows with zeros and rewrites code 3", "[kernels]") {
  const int64_t rows = 5, k = 128;
  std::vector<uint8_t> src(static_cast<size_t>(rows * k / 4), 0xFF);  // all code 3
  src[0] = 0x1B;                                                     // codes 0,1,2,3
  std::vector<uint8_t> r4(i2s_r4_nbytes(rows, k), 0);
  REQUIRE(r4.size() == 2 * 128);
  i2s_repack_r4(src.data(), rows, k, r4.data(), 0, 2);
  CHECK(r4[0] == 0x19);  // 00 01 10 01
  CHECK(r4[1] == 0x55);
  CHECK(r4[128 + 32] == 0x55);  // row 5 (padding)
  CHECK(r4[255] == 0x55);
}

TEST_CASE("activation quantiser: every level equals quantize_act_i8 bit for bit", "[kernels]") {
  tern_ktest::Rng rng(304);
  auto check = [](const std::vector<float>& x) {
    const int64_t n = static_cast<int64_t>(x.size());
    std::vector<int8_t> want(x.size() + 1, 7), got(x.size() + 1, 7);
    const ActQuant a = quantize_act_i8(x.data(), want.data(), n);
    for (auto level : levels_to_test()) {
      INFO("level " << level_name(level) << ", n " << n);
      std::fill(got.begin(), got.end(), 7);
      const ActQuant b = kernel_table(level).quantize_act_i8(x.data(), got.data(), n);
      CHECK(std::memcmp(&a.scale, &b.scale, sizeof(float)) == 0);
      CHECK(a.sum == b.sum);
      CHECK(got == want);  // including the untouched guard byte
    }
  };
  for (int64_t n : {0, 1, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 100, 2560, 6912}) {
    check(tern_ktest::random_floats(rng, static_cast<size_t>(n), -3.0f, 3.0f));
    check(tern_ktest::random_floats(rng, static_cast<size_t>(n), -1e-7f, 1e-7f));  // below the 1e-5 floor
  }
  // Exact halves after scaling (round half to even), zeros, one huge outlier, non-finite values.
  std::vector<float> halves(100);
  for (size_t i = 0; i < halves.size(); ++i) halves[i] = (static_cast<float>(i) - 50.0f) + 0.5f;
  halves[0] = 127.0f;  // scale = 1 exactly
  check(halves);
  check(std::vector<float>(77, 0.0f));
  std::vector<float> outlier = tern_ktest::random_floats(rng, 300);
  outlier[123] = 1e30f;
  check(outlier);
  std::vector<float> weird = tern_ktest::random_floats(rng, 70);
  weird[3] = std::numeric_limits<float>::quiet_NaN();
  weird[40] = -std::numeric_limits<float>::infinity();
  weird[69] = std::numeric_limits<float>::quiet_NaN();
  check(weird);
  std::vector<float> nan_only(40, std::numeric_limits<float>::quiet_NaN());
  check(nan_only);
}
