// Element-wise float ops against straightforward double-precision references.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/float_ops.h"

using namespace tern::kernels;

namespace {

// A few float ulps relative, for results computed with 1-3 float roundings.
bool rel_close(float got, double ref, double rel = 4e-7, double abs_tol = 1e-30) {
  return std::fabs(got - ref) <= std::fabs(ref) * rel + abs_tol;
}

// The theta sequence of the documented convention (ggml): float, iterated multiplicatively.
std::vector<float> ggml_thetas(int n_rot, int pos, float base) {
  std::vector<float> t;
  const float scale = std::pow(base, -2.0f / static_cast<float>(n_rot));
  float theta = static_cast<float>(pos);
  for (int i = 0; i < n_rot / 2; ++i, theta *= scale) t.push_back(theta);
  return t;
}

// Double-precision rotation with the given angles; pair(i) -> (a, b) indices.
template <typename Pair>
std::vector<double> rope_ref(const std::vector<float>& x, const std::vector<double>& theta, Pair pair) {
  std::vector<double> y(x.begin(), x.end());
  for (size_t i = 0; i < theta.size(); ++i) {
    int a, b;
    pair(static_cast<int>(i), a, b);
    const double c = std::cos(theta[i]), s = std::sin(theta[i]);
    y[static_cast<size_t>(a)] = x[static_cast<size_t>(a)] * c - x[static_cast<size_t>(b)] * s;
    y[static_cast<size_t>(b)] = x[static_cast<size_t>(a)] * s + x[static_cast<size_t>(b)] * c;
  }
  return y;
}

}  // namespace

TEST_CASE("rmsnorm matches a double reference, with and without weights", "[kernels]") {
  tern_ktest::Rng rng(51);
  for (int64_t n : {1, 3, 2560, 6912}) {
    INFO("n = " << n);
    const auto x = tern_ktest::random_floats(rng, static_cast<size_t>(n), -3.0f, 3.0f);
    const auto w = tern_ktest::random_floats(rng, static_cast<size_t>(n), 0.5f, 1.5f);
    const float eps = 1e-5f;
    double ss = 0.0;
    for (float v : x) ss += static_cast<double>(v) * v;
    const double f = 1.0 / std::sqrt(ss / static_cast<double>(n) + eps);
    std::vector<float> y(static_cast<size_t>(n)), y0(static_cast<size_t>(n));
    rmsnorm(x.data(), w.data(), y.data(), n, eps);
    rmsnorm(x.data(), nullptr, y0.data(), n, eps);
    int bad = 0;
    for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
      if (!rel_close(y[i], x[i] * f * w[i])) ++bad;
      if (!rel_close(y0[i], x[i] * f)) ++bad;
    }
    CHECK(bad == 0);
    std::vector<float> inplace = x;  // y may alias x
    rmsnorm(inplace.data(), w.data(), inplace.data(), n, eps);
    CHECK(inplace == y);
  }
  std::vector<float> z(16, 0.0f), yz(16, 1.0f);  // eps keeps zeros finite
  rmsnorm(z.data(), nullptr, yz.data(), 16, 1e-6f);
  for (float v : yz) CHECK(v == 0.0f);
}

TEST_CASE("rope follows the llama.cpp theta convention for both pairings", "[kernels]") {
  tern_ktest::Rng rng(52);
  const int head_dim = 128;
  for (int n_rot : {128, 64}) {
    for (int pos : {0, 1, 17, 1000, 40000}) {
      INFO("n_rot = " << n_rot << ", pos = " << pos);
      const float base = 500000.0f;
      const auto x = tern_ktest::random_floats(rng, head_dim, -2.0f, 2.0f);
      const auto tf = ggml_thetas(n_rot, pos, base);
      const std::vector<double> theta(tf.begin(), tf.end());
      const int half = n_rot / 2;
      const auto ref_neox = rope_ref(x, theta, [half](int i, int& a, int& b) { a = i; b = i + half; });
      const auto ref_adj = rope_ref(x, theta, [](int i, int& a, int& b) { a = 2 * i; b = 2 * i + 1; });
      std::vector<float> yn = x, ya = x;
      rope_neox(yn.data(), head_dim, n_rot, pos, base);
      rope_adjacent(ya.data(), head_dim, n_rot, pos, base);
      int bad = 0;
      for (int i = 0; i < head_dim; ++i) {
        // Absolute tolerance: cosf/sinf of a float angle are within ~1 ulp.
        if (std::fabs(yn[static_cast<size_t>(i)] - ref_neox[static_cast<size_t>(i)]) > 2e-6) ++bad;
        if (std::fabs(ya[static_cast<size_t>(i)] - ref_adj[static_cast<size_t>(i)]) > 2e-6) ++bad;
      }
      CHECK(bad == 0);
      for (int i = n_rot; i < head_dim; ++i) {  // dims beyond n_rot untouched (bit-exact)
        CHECK(yn[static_cast<size_t>(i)] == x[static_cast<size_t>(i)]);
        CHECK(ya[static_cast<size_t>(i)] == x[static_cast<size_t>(i)]);
      }
      if (pos == 0) {  // theta = 0: identity
        CHECK(yn == x);
        CHECK(ya == x);
      }
    }
  }
}

TEST_CASE("rope: theta_i = pos * base^(-2i/n_rot), neox and adjacent differ, pair norms kept", "[kernels]") {
  tern_ktest::Rng rng(53);
  const int head_dim = 64, n_rot = 64, pos = 5;
  const float base = 10000.0f;
  const auto x = tern_ktest::random_floats(rng, head_dim, -1.0f, 1.0f);
  // Closed form in double (at a small pos the iterated float theta is within ~1e-6 of it).
  std::vector<double> exact;
  for (int i = 0; i < n_rot / 2; ++i) exact.push_back(pos * std::pow(10000.0, -2.0 * i / n_rot));
  const auto ref = rope_ref(x, exact, [](int i, int& a, int& b) { a = i; b = i + n_rot / 2; });
  std::vector<float> yn = x, ya = x;
  rope_neox(yn.data(), head_dim, n_rot, pos, base);
  rope_adjacent(ya.data(), head_dim, n_rot, pos, base);
  for (int i = 0; i < head_dim; ++i) CHECK(std::fabs(yn[static_cast<size_t>(i)] - ref[static_cast<size_t>(i)]) < 1e-5);
  CHECK(yn != ya);
  for (int i = 0; i < n_rot / 2; ++i) {
    const size_t a = static_cast<size_t>(i), b = static_cast<size_t>(i + n_rot / 2);
    const double before = std::hypot(x[a], x[b]);
    CHECK(std::fabs(std::hypot(yn[a], yn[b]) - before) <= 1e-6 * (1 + before));
    const size_t c = static_cast<size_t>(2 * i), d = c + 1;
    const double before_adj = std::hypot(x[c], x[d]);
    CHECK(std::fabs(std::hypot(ya[c], ya[d]) - before_adj) <= 1e-6 * (1 + before_adj));
  }
}

TEST_CASE("softmax_inplace: double reference, large values, -inf, fully masked", "[kernels]") {
  tern_ktest::Rng rng(54);
  for (int64_t n : {1, 2, 100, 128256}) {
    INFO("n = " << n);
    auto x = tern_ktest::random_floats(rng, static_cast<size_t>(n), -20.0f, 20.0f);
    double mx = -1e300, sum = 0.0;
    for (float v : x) mx = std::max(mx, static_cast<double>(v));
    for (float v : x) sum += std::exp(v - mx);
    std::vector<double> ref, tol;
    for (float v : x) {
      ref.push_back(std::exp(v - mx) / sum);
      // The kernel forms x - max in float: an absolute error of up to half an ulp of |x - max|
      // becomes that much relative error after exp, on top of a few ulps for expf and the scale.
      tol.push_back(4e-7 + std::fabs(v - mx) * 6e-8);
    }
    softmax_inplace(x.data(), n);
    int bad = 0;
    double total = 0.0;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!rel_close(x[i], ref[i], tol[i], 1e-38)) ++bad;
      total += x[i];
    }
    CHECK(bad == 0);
    CHECK(std::fabs(total - 1.0) < 1e-5);
  }
  std::vector<float> big = {1000.0f, 1001.0f, 999.0f};  // no overflow thanks to max subtraction
  softmax_inplace(big.data(), 3);
  CHECK(rel_close(big[1], 1.0 / (1.0 + std::exp(-1.0) + std::exp(-2.0)), 1e-6));
  const float ninf = -std::numeric_limits<float>::infinity();
  std::vector<float> masked = {0.0f, ninf, 0.0f, ninf};
  softmax_inplace(masked.data(), 4);
  CHECK(masked == std::vector<float>{0.5f, 0.0f, 0.5f, 0.0f});
  std::vector<float> all_masked = {ninf, ninf};
  softmax_inplace(all_masked.data(), 2);
  CHECK(all_masked == std::vector<float>{0.0f, 0.0f});
  std::vector<float> one = {-3.0f};
  softmax_inplace(one.data(), 1);
  CHECK(one[0] == 1.0f);
  softmax_inplace(nullptr, 0);
}

TEST_CASE("silu_mul, relu2_mul, add_inplace, scale_inplace", "[kernels]") {
  tern_ktest::Rng rng(55);
  const int64_t n = 1000;
  auto g = tern_ktest::random_floats(rng, n, -10.0f, 10.0f);
  const auto u = tern_ktest::random_floats(rng, n, -2.0f, 2.0f);
  g[0] = -100.0f;  // exp(-g) overflows: result must be -0 · u, not NaN
  g[1] = 100.0f;
  g[2] = 0.0f;
  std::vector<float> ys(n), yr(n);
  silu_mul(g.data(), u.data(), ys.data(), n);
  relu2_mul(g.data(), u.data(), yr.data(), n);
  int bad = 0;
  for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
    const double gd = g[i];
    if (!rel_close(ys[i], gd / (1.0 + std::exp(-gd)) * u[i], 1e-6, 1e-35)) ++bad;
    const double r = gd > 0 ? gd : 0.0;
    if (!rel_close(yr[i], r * r * u[i], 3e-7)) ++bad;
  }
  CHECK(bad == 0);
  CHECK(std::fabs(ys[0]) < 1e-30f);
  CHECK(yr[0] == 0.0f);
  CHECK(ys[2] == 0.0f);

  std::vector<float> alias = g;  // y may alias gate
  silu_mul(alias.data(), u.data(), alias.data(), n);
  CHECK(alias == ys);

  std::vector<float> y = {1.0f, 2.0f, -3.0f};
  const std::vector<float> x = {0.5f, -2.0f, 4.0f};
  add_inplace(y.data(), x.data(), 3);
  CHECK(y == std::vector<float>{1.5f, 0.0f, 1.0f});
  scale_inplace(y.data(), 3, -2.0f);
  CHECK(y == std::vector<float>{-3.0f, -0.0f, -2.0f});
}
