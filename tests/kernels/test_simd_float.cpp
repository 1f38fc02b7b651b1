// Float kernels (F16/F32/Q8_0 GEMM, attention loops, softmax, the bandwidth loop) at every
// dispatch level this CPU supports, against the scalar references: bit for bit where the
// operation order is kept (attention values, XOR), else within the tolerances documented in
// kernels/float_gemm.h and kernels/attention.h.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "kernel_test_util.h"
#include "kernels/attention.h"
#include "kernels/dispatch.h"
#include "kernels/float_dot.h"
#include "kernels/float_gemm.h"
#include "kernels/float_ops.h"
#include "kernels/fp16.h"

using namespace tern::kernels;
using tern_ktest::level_name;
using tern_ktest::levels_to_test;

namespace {

constexpr double kUlp = 1.0 / 16777216.0;  // 2^-24

// (k / 8 + 16) · 2^-24 · Σ|w x| · |scale|, the documented bound for float-lane summation.
double dot_bound(int64_t k, double abs_sum, double scale) {
  return (static_cast<double>(k) / 8 + 16) * kUlp * abs_sum * std::fabs(scale) + 1e-30;
}

std::vector<uint16_t> random_f16(tern_ktest::Rng& rng, size_t n, float lo, float hi) {
  std::vector<uint16_t> h(n);
  for (auto& v : h) v = f32_to_fp16(rng.uniform(lo, hi));
  return h;
}

}  // namespace

TEST_CASE("F16 and F32 GEMM: every level within tolerance of the reference", "[kernels]") {
  tern_ktest::Rng rng(401);
  for (int64_t k : {1, 7, 8, 9, 31, 32, 33, 100, 2560})
    for (int n : {1, 2, 3, 4, 7}) {
      const int64_t rows = 11;
      auto w16 = random_f16(rng, static_cast<size_t>(rows * k), -2.0f, 2.0f);
      w16[0] = 0x0001;  // smallest subnormal
      w16[static_cast<size_t>(rows * k - 1)] = 0x83FF;  // largest negative subnormal
      std::vector<float> w32(w16.size());
      for (size_t i = 0; i < w16.size(); ++i) w32[i] = fp16_to_f32(w16[i]) * 1.37f;
      const auto x = tern_ktest::random_floats(rng, static_cast<size_t>(n * k), -3.0f, 3.0f);
      for (int type = 0; type < 2; ++type) {
        FloatGemm g;
        g.w = type == 0 ? static_cast<const void*>(w16.data()) : static_cast<const void*>(w32.data());
        g.rows = rows;
        g.k = k;
        g.scale = 0.5f;
        g.x = x.data();
        g.n_tokens = n;
        g.ldy = rows + 1;
        std::vector<float> want(static_cast<size_t>(n * g.ldy), 0.0f);
        g.y = want.data();
        (type == 0 ? f16_gemm_ref : f32_gemm_ref)(g, 0, rows);
        for (auto level : levels_to_test()) {
          INFO((type == 0 ? "f16" : "f32") << " level " << level_name(level) << " k " << k << " n " << n);
          std::vector<float> got(want.size(), 0.0f);
          g.y = got.data();
          const KernelTable& t = kernel_table(level);
          (type == 0 ? t.f16_gemm : t.f32_gemm)(g, 0, 5);
          (type == 0 ? t.f16_gemm : t.f32_gemm)(g, 5, rows);
          for (int64_t r = 0; r < rows; ++r)
            for (int tk = 0; tk < n; ++tk) {
              double abs_sum = 0;
              for (int64_t i = 0; i < k; ++i)
                abs_sum += std::fabs((type == 0 ? (double)fp16_to_f32(w16[r * k + i]) : (double)w32[r * k + i]) *
                                     x[tk * k + i]);
              const size_t o = static_cast<size_t>(tk * g.ldy + r);
              REQUIRE(std::fabs((double)got[o] - want[o]) <= dot_bound(k, abs_sum, g.scale));
            }
        }
      }
    }
}

TEST_CASE("F16 GEMM on the R4 layout: the reference unchanged, SIMD equal to the row layout", "[kernels]") {
  tern_ktest::Rng rng(407);
  for (int64_t rows : {1, 3, 4, 5, 9, 16})
    for (int64_t k : {16, 48, 2560})
      for (int n : {1, 2, 5}) {
        const auto w = random_f16(rng, static_cast<size_t>(rows * k), -1.0f, 1.0f);
        const auto x = tern_ktest::random_floats(rng, static_cast<size_t>(n * k));
        std::vector<uint16_t> r4(f16_r4_nbytes(rows, k) / 2, 0xFFFF);
        const int64_t groups = (rows + 3) / 4;
        f16_repack_r4(w.data(), rows, k, r4.data(), 0, groups / 2);
        f16_repack_r4(w.data(), rows, k, r4.data(), groups / 2, groups);
        std::vector<uint16_t> back(static_cast<size_t>(k));
        for (int64_t r = 0; r < rows; ++r) {
          f16_r4_row(r4.data(), k, r, back.data());
          REQUIRE(std::equal(back.begin(), back.end(), w.begin() + r * k));
        }
        FloatGemm g;
        g.rows = rows;
        g.k = k;
        g.x = x.data();
        g.n_tokens = n;
        g.ldy = rows;
        for (auto level : levels_to_test()) {
          INFO("level " << level_name(level) << " rows " << rows << " k " << k << " n " << n);
          std::vector<float> by_rows(static_cast<size_t>(n * rows)), by_r4(by_rows.size());
          g.layout = FloatLayout::Rows;
          g.w = w.data();
          g.y = by_rows.data();
          kernel_table(level).f16_gemm(g, 0, rows);
          g.layout = FloatLayout::R4;
          g.w = r4.data();
          g.y = by_r4.data();
          kernel_table(level).f16_gemm(g, 0, 4 * (rows / 8));  // two calls, split on a group
          kernel_table(level).f16_gemm(g, 4 * (rows / 8), rows);
          CHECK(by_r4 == by_rows);  // same arithmetic per row in both layouts
        }
      }
}

TEST_CASE("F16 GEMM converts every half exactly (subnormals, infinities, NaN)", "[kernels]") {
  // Row h = [half h, 0 x 15] times x = [1, 0 x 15]: the result is the converted half itself.
  const int64_t k = 16, rows = 65536;
  std::vector<uint16_t> w(static_cast<size_t>(rows * k), 0);
  for (int64_t h = 0; h < rows; ++h) w[h * k] = static_cast<uint16_t>(h);
  std::vector<float> x(k, 0.0f);
  x[0] = 1.0f;
  for (auto level : levels_to_test()) {
    INFO("level " << level_name(level));
    std::vector<float> y(rows);
    FloatGemm g;
    g.w = w.data();
    g.rows = rows;
    g.k = k;
    g.x = x.data();
    g.n_tokens = 1;
    g.y = y.data();
    g.ldy = rows;
    kernel_table(level).f16_gemm(g, 0, rows);
    int bad = 0;
    for (int64_t h = 0; h < rows; ++h) {
      const float want = fp16_to_f32(static_cast<uint16_t>(h));
      if (std::isnan(want) ? !std::isnan(y[h]) : y[h] != want) ++bad;  // 0·inf = NaN lanes excluded: x is 0 there, w is 0
    }
    CHECK(bad == 0);
  }
}

TEST_CASE("Q8_0 x Q8_0 GEMM: every level within tolerance of the reference", "[kernels]") {
  tern_ktest::Rng rng(402);
  for (int64_t k : {32, 64, 96, 2560})
    for (int n : {1, 2, 5}) {
      const int64_t rows = 7, nb = k / 32;
      auto wf = tern_ktest::random_floats(rng, static_cast<size_t>(rows * k), -1.0f, 1.0f);
      wf[5] = 40.0f;  // an outlier block
      auto xf = tern_ktest::random_floats(rng, static_cast<size_t>(n * k), -5.0f, 5.0f);
      std::vector<uint8_t> wq(static_cast<size_t>(rows * nb * 34)), xq(static_cast<size_t>(n * nb * 34));
      q8_0_quantize(wf.data(), rows * k, wq.data());
      q8_0_quantize(xf.data(), n * k, xq.data());
      wq[2 + 34] = 0x80;  // a -128 weight (a file may hold one; the quantiser never writes it)
      Q8Gemm g;
      g.f.w = wq.data();
      g.f.rows = rows;
      g.f.k = k;
      g.f.scale = 2.0f;
      g.f.n_tokens = n;
      g.f.ldy = rows;
      g.xq = xq.data();
      std::vector<float> want(static_cast<size_t>(n * rows));
      g.f.y = want.data();
      q8_0_gemm_ref(g, 0, rows);
      for (auto level : levels_to_test()) {
        INFO("level " << level_name(level) << " k " << k << " n " << n);
        std::vector<float> got(want.size());
        g.f.y = got.data();
        kernel_table(level).q8_0_gemm(g, 0, rows);
        for (int64_t r = 0; r < rows; ++r)
          for (int t = 0; t < n; ++t) {
            double abs_sum = 0;
            for (int64_t b = 0; b < nb; ++b) {
              const uint8_t* wb = wq.data() + (r * nb + b) * 34;
              const uint8_t* xb = xq.data() + (t * nb + b) * 34;
              uint16_t dw, dx;
              std::memcpy(&dw, wb, 2);
              std::memcpy(&dx, xb, 2);
              int64_t s = 0;
              for (int j = 0; j < 32; ++j) s += std::abs((int)(int8_t)wb[2 + j] * (int)(int8_t)xb[2 + j]);
              abs_sum += std::fabs((double)fp16_to_f32(dw) * fp16_to_f32(dx)) * (double)s;
            }
            REQUIRE(std::fabs((double)got[t * rows + r] - want[t * rows + r]) <= dot_bound(k, abs_sum, 2.0) * 2);
          }
      }
    }
}

TEST_CASE("attention scores and values: every level vs the reference", "[kernels]") {
  tern_ktest::Rng rng(403);
  for (int hd : {1, 4, 8, 12, 64, 80, 128, 256})
    for (int n_pos : {1, 3, 4, 5, 17, 100}) {
      const int64_t stride = hd * 5 + 3;  // keys of one head inside a wider row, like GQA
      const auto q = tern_ktest::random_floats(rng, static_cast<size_t>(hd), -2.0f, 2.0f);
      const auto kv = tern_ktest::random_floats(rng, static_cast<size_t>(n_pos * stride), -2.0f, 2.0f);
      const auto w = tern_ktest::random_floats(rng, static_cast<size_t>(n_pos), 0.0f, 1.0f);
      const float scale = 1.0f / std::sqrt((float)hd);
      std::vector<float> s_ref(n_pos), v_ref(hd);
      attn_scores_ref(q.data(), kv.data(), stride, n_pos, hd, scale, s_ref.data());
      attn_values_ref(w.data(), kv.data(), stride, n_pos, hd, v_ref.data());
      for (auto level : levels_to_test()) {
        INFO("level " << level_name(level) << " hd " << hd << " n_pos " << n_pos);
        const KernelTable& t = kernel_table(level);
        std::vector<float> s(n_pos), v(hd, 99.0f);
        t.attn_scores(q.data(), kv.data(), stride, n_pos, hd, scale, s.data());
        for (int p = 0; p < n_pos; ++p) {
          double abs_sum = 0;
          for (int d = 0; d < hd; ++d) abs_sum += std::fabs((double)q[d] * kv[p * stride + d]);
          REQUIRE(std::fabs((double)s[p] - s_ref[p]) <= dot_bound(hd, abs_sum, scale));
        }
        t.attn_values(w.data(), kv.data(), stride, n_pos, hd, v.data());
        CHECK(v == v_ref);  // same order, separate multiply and add: bit-identical
      }
    }
}

TEST_CASE("grouped attention: each head bit-identical to the single-head kernel of its level", "[kernels]") {
  tern_ktest::Rng rng(405);
  for (int n_q : {1, 2, 3, 4, 5, 8})
    for (int hd : {1, 12, 64, 80, 128})
      for (int n_pos : {1, 4, 5, 32, 33, 97}) {  // across value blocks of 32 positions
        const int64_t stride = hd * 5 + 3, q_stride = hd + 1, s_stride = n_pos + 2, o_stride = hd + 3;
        const auto q = tern_ktest::random_floats(rng, static_cast<size_t>(n_q * q_stride), -2.0f, 2.0f);
        const auto kv = tern_ktest::random_floats(rng, static_cast<size_t>(n_pos * stride), -2.0f, 2.0f);
        const auto w = tern_ktest::random_floats(rng, static_cast<size_t>(n_q * s_stride), 0.0f, 1.0f);
        const float scale = 1.0f / std::sqrt((float)hd);
        for (auto level : levels_to_test()) {
          INFO("level " << level_name(level) << " heads " << n_q << " hd " << hd << " n_pos " << n_pos);
          const KernelTable& t = kernel_table(level);
          std::vector<float> s(n_q * s_stride, 7.0f), v(n_q * o_stride, 99.0f);
          t.attn_scores_group(q.data(), q_stride, n_q, kv.data(), stride, n_pos, hd, scale, s.data(), s_stride);
          t.attn_values_group(w.data(), s_stride, n_q, kv.data(), stride, n_pos, hd, v.data(), o_stride);
          for (int h = 0; h < n_q; ++h) {
            std::vector<float> s1(n_pos), v1(hd);
            t.attn_scores(q.data() + h * q_stride, kv.data(), stride, n_pos, hd, scale, s1.data());
            t.attn_values(w.data() + h * s_stride, kv.data(), stride, n_pos, hd, v1.data());
            CHECK(std::vector<float>(s.begin() + h * s_stride, s.begin() + h * s_stride + n_pos) == s1);
            CHECK(std::vector<float>(v.begin() + h * o_stride, v.begin() + h * o_stride + hd) == v1);
            // Padding between heads untouched.
            CHECK(s[h * s_stride + n_pos] == 7.0f);
            CHECK(v[h * o_stride + hd] == 99.0f);
          }
        }
      }
}

TEST_CASE("softmax: every level within 2e-6 relative of the reference", "[kernels]") {
  tern_ktest::Rng rng(404);
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<std::vector<float>> cases;
  for (int64_t n : {1, 2, 3, 7, 8, 9, 16, 31, 33, 100, 1000, 4097})
    for (float spread : {0.1f, 5.0f, 60.0f, 200.0f}) cases.push_back(tern_ktest::random_floats(rng, n, -spread, spread));
  std::vector<float> masked = tern_ktest::random_floats(rng, 50, -3.0f, 3.0f);
  for (int i = 0; i < 50; i += 3) masked[i] = -inf;
  cases.push_back(masked);
  cases.push_back(std::vector<float>(13, -inf));  // fully masked: all zeros
  cases.push_back(std::vector<float>(21, 3.5f));   // all equal
  for (const auto& c : cases) {
    std::vector<float> want = c;
    softmax_inplace(want.data(), (int64_t)want.size());
    for (auto level : levels_to_test()) {
      INFO("level " << level_name(level) << " n " << c.size());
      std::vector<float> got = c;
      kernel_table(level).softmax(got.data(), (int64_t)got.size());
      for (size_t i = 0; i < c.size(); ++i) REQUIRE(std::fabs(got[i] - want[i]) <= 2e-6 * want[i] + 1e-37);
    }
  }
}

TEST_CASE("xor_words (bandwidth loop): every level equals the reference", "[kernels]") {
  tern_ktest::Rng rng(405);
  std::vector<uint8_t> buf(5000);
  for (auto& b : buf) b = static_cast<uint8_t>(rng.next());
  for (uint64_t n : {0, 7, 8, 9, 63, 64, 127, 128, 129, 1000, 4999, 5000})
    for (auto level : levels_to_test()) {
      INFO("level " << level_name(level) << " n " << n);
      CHECK(kernel_table(level).xor_words(buf.data() + 1, n - (n == 5000)) == xor_words_ref(buf.data() + 1, n - (n == 5000)));
    }
}

TEST_CASE("Q8_0 quantiser and fp16 row conversion: every level bit for bit", "[kernels]") {
  tern_ktest::Rng rng(406);
  std::vector<float> x = tern_ktest::random_floats(rng, 32 * 40, -4.0f, 4.0f);
  for (int j = 0; j < 32; ++j) x[j] = (float)(j - 16) * (127.0f / 16.0f) / 127.0f * 2.5f;  // exact .5 steps
  for (int j = 32; j < 64; ++j) x[j] = 0.0f;                                                  // d = 0
  x[70] = std::numeric_limits<float>::quiet_NaN();
  x[100] = 1e30f;
  x[140] = -std::numeric_limits<float>::infinity();
  for (int j = 160; j < 192; ++j) x[j] = (j % 2 ? 1 : -1) * (float)(j - 160) * 0.5f;  // halves, scale 1
  x[191] = 127.0f;
  std::vector<uint8_t> want(40 * 34);
  q8_0_quantize(x.data(), (int64_t)x.size(), want.data());
  std::vector<uint16_t> h(70000);
  for (size_t i = 0; i < h.size(); ++i) h[i] = static_cast<uint16_t>(i * 40503u);
  std::vector<float> hw(h.size());
  fp16_to_f32_row(h.data(), hw.data(), (int64_t)h.size());
  for (auto level : levels_to_test()) {
    INFO("level " << level_name(level));
    std::vector<uint8_t> got(want.size(), 0xAA);
    kernel_table(level).q8_0_quantize(x.data(), (int64_t)x.size(), got.data());
    CHECK(got == want);
    std::vector<float> hg(h.size());
    kernel_table(level).fp16_to_f32_row(h.data(), hg.data(), (int64_t)h.size() - 3);
    // Bit for bit, except that F16C turns signalling NaNs into quiet ones (still NaN).
    int bad = 0;
    for (size_t i = 0; i + 3 < h.size(); ++i)
      if (std::isnan(hw[i]) ? !std::isnan(hg[i]) : std::memcmp(&hg[i], &hw[i], sizeof(float)) != 0) ++bad;
    CHECK(bad == 0);
  }
}
