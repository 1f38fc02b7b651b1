#include "kernels/float_ops.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>

namespace tern::kernels {
namespace {

// Shared rope loop: `pair` maps pair index i to the offsets of its two elements.
template <typename Pair>
void rope_impl(float* head, int head_dim, int n_rot, int pos, float freq_base, Pair pair) {
  assert(n_rot >= 0 && n_rot % 2 == 0 && n_rot <= head_dim);
  (void)head_dim;
  // Float throughout, iterated multiplicatively: this is how ggml's rope cache computes theta, and
  // matching it matters more than the last ulp of accuracy (the model was evaluated that way).
  const float theta_scale = std::pow(freq_base, -2.0f / static_cast<float>(n_rot));
  float theta = static_cast<float>(pos);
  for (int i = 0; i < n_rot / 2; ++i) {
    const float c = std::cos(theta);
    const float s = std::sin(theta);
    int ia, ib;
    pair(i, ia, ib);
    const float a = head[ia];
    const float b = head[ib];
    head[ia] = a * c - b * s;
    head[ib] = a * s + b * c;
    theta *= theta_scale;
  }
}

}  // namespace

void rmsnorm(const float* x, const float* w, float* y, int64_t n, float eps) {
  double ss = 0.0;
  for (int64_t i = 0; i < n; ++i) ss += static_cast<double>(x[i]) * x[i];
  const double mean = n > 0 ? ss / static_cast<double>(n) : 0.0;
  const float f = static_cast<float>(1.0 / std::sqrt(mean + static_cast<double>(eps)));
  if (w) {
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] * f) * w[i];
  } else {
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] * f;
  }
}

void rope_neox(float* head, int head_dim, int n_rot, int pos, float freq_base) {
  const int half = n_rot / 2;
  rope_impl(head, head_dim, n_rot, pos, freq_base, [half](int i, int& a, int& b) {
    a = i;
    b = i + half;
  });
}

void rope_adjacent(float* head, int head_dim, int n_rot, int pos, float freq_base) {
  rope_impl(head, head_dim, n_rot, pos, freq_base, [](int i, int& a, int& b) {
    a = 2 * i;
    b = 2 * i + 1;
  });
}

void softmax_inplace(float* x, int64_t n) {
  if (n <= 0) return;
  float mx = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; ++i) mx = std::max(mx, x[i]);
  if (mx == -std::numeric_limits<float>::infinity()) {
    for (int64_t i = 0; i < n; ++i) x[i] = 0.0f;  // fully masked: avoid (-inf) - (-inf) = NaN
    return;
  }
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - mx);  // <= 1, and exactly 1 at the max, so sum >= 1
    sum += x[i];
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

void silu_mul(const float* gate, const float* up, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i];
    // exp(-g) overflows to inf for g < ~-88, giving g / inf = -0: the correct limit.
    y[i] = g / (1.0f + std::exp(-g)) * up[i];
  }
}

void relu2_mul(const float* gate, const float* up, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    // relu as a bit mask (g > 0 ? g : +0, NaN -> +0, as before): GCC keeps the float select
    // `g > 0 ? g : 0` as a branch and the loop scalar; the integer mask vectorises.
    const float g = gate[i];
    uint32_t bits;
    std::memcpy(&bits, &g, sizeof bits);
    bits &= g > 0.0f ? 0xFFFFFFFFu : 0u;
    float r;
    std::memcpy(&r, &bits, sizeof r);
    y[i] = r * r * up[i];
  }
}

void add_inplace(float* y, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += x[i];
}

void scale_inplace(float* x, int64_t n, float s) {
  for (int64_t i = 0; i < n; ++i) x[i] *= s;
}

}  // namespace tern::kernels
