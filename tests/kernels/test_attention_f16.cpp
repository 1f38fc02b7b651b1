// The grouped attention kernels over an F16 KV cache (attn_scores_group_f16,
// attn_values_group_f16) at every dispatch level this CPU supports: bit for bit the level's F32
// grouped kernels on the widened rows, the value sums bit for bit the scalar F16 reference, the
// scores within the documented float-summation bound of it. Inputs: random halves, and edge
// cases (zeros, subnormal halves, ±1, the largest halves, ±inf and NaN), at position counts
// around the value blocks of 32 (1, 31, 32, 33, 97) and head sizes with and without tails.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/attention.h"
#include "kernels/dispatch.h"
#include "kernels/fp16.h"

using namespace tern::kernels;
using tern_ktest::level_name;
using tern_ktest::levels_to_test;

namespace {

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

// Bit-identical, except that any NaN equals any NaN: F16C widens a signalling NaN to a quiet
// one (kernels/dispatch.h), and which operand's payload an add keeps depends on the order.
bool same(float a, float b) { return (std::isnan(a) && std::isnan(b)) || bits(a) == bits(b); }

bool same_rows(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!same(a[i], b[i])) return false;
  return true;
}

enum class Kind { Random, Zeros, Subnormal, Special };

uint16_t half_of(tern_ktest::Rng& rng, Kind kind) {
  switch (kind) {
    case Kind::Random: return f32_to_fp16(rng.uniform(-2.0f, 2.0f));
    case Kind::Zeros: return (rng.next() & 1) ? 0x8000 : 0x0000;  // ±0
    case Kind::Subnormal: {  // mostly subnormal halves (exponent 0), some ±1 and ±0
      const uint64_t r = rng.next();
      if (r % 5 == 0) return (r & 8) ? 0xBC00 : 0x3C00;  // ∓1
      return static_cast<uint16_t>((r >> 8) & 0x83FF);
    }
    case Kind::Special: {  // a few ±inf, NaNs (quiet and signalling), ±65504 among random halves
      const uint64_t r = rng.next() % 40;
      if (r == 0) return 0x7C00;
      if (r == 1) return 0xFC00;
      if (r == 2) return 0x7E00;  // quiet NaN
      if (r == 3) return 0x7C01;  // signalling NaN
      if (r == 4) return 0x7BFF;  // 65504
      if (r == 5) return 0xFBFF;
      return f32_to_fp16(rng.uniform(-2.0f, 2.0f));
    }
  }
  return 0;
}

double dot_bound(int64_t k, double abs_sum, double scale) {
  return (static_cast<double>(k) / 8 + 16) * (1.0 / 16777216.0) * abs_sum * std::fabs(scale) + 1e-30;
}

}  // namespace

TEST_CASE("F16 grouped attention: every level vs its F32 kernel and the F16 reference", "[kernels]") {
  tern_ktest::Rng rng(431);
  for (Kind kind : {Kind::Random, Kind::Zeros, Kind::Subnormal, Kind::Special})
    for (int n_q : {1, 2, 3, 4, 5})
      for (int hd : {1, 12, 64, 80, 128})
        for (int n_pos : {1, 4, 31, 32, 33, 97}) {
          // Keys/values of one head inside a wider row (other heads' data between positions).
          const int64_t stride = hd * 3 + 5, q_stride = hd + 1, s_stride = n_pos + 2, o_stride = hd + 3;
          const auto q = tern_ktest::random_floats(rng, static_cast<size_t>(n_q * q_stride), -2.0f, 2.0f);
          std::vector<uint16_t> kv16(static_cast<size_t>(n_pos * stride));
          for (auto& h : kv16) h = half_of(rng, kind);
          std::vector<float> kv32(kv16.size());
          for (size_t i = 0; i < kv16.size(); ++i) kv32[i] = fp16_to_f32(kv16[i]);
          const auto w = tern_ktest::random_floats(rng, static_cast<size_t>(n_q * s_stride), 0.0f, 1.0f);
          const float scale = 1.0f / std::sqrt((float)hd);

          std::vector<float> s_ref(n_q * s_stride, 7.0f), v_ref(n_q * o_stride, 99.0f);
          attn_scores_group_f16_ref(q.data(), q_stride, n_q, kv16.data(), stride, n_pos, hd, scale, s_ref.data(),
                                    s_stride);
          attn_values_group_f16_ref(w.data(), s_stride, n_q, kv16.data(), stride, n_pos, hd, v_ref.data(), o_stride);
          for (auto level : levels_to_test()) {
            INFO("level " << level_name(level) << " kind " << (int)kind << " heads " << n_q << " hd " << hd
                          << " n_pos " << n_pos);
            const KernelTable& t = kernel_table(level);
            std::vector<float> s(n_q * s_stride, 7.0f), v(n_q * o_stride, 99.0f);
            std::vector<float> s32(n_q * s_stride, 7.0f), v32(n_q * o_stride, 99.0f);
            t.attn_scores_group_f16(q.data(), q_stride, n_q, kv16.data(), stride, n_pos, hd, scale, s.data(), s_stride);
            t.attn_values_group_f16(w.data(), s_stride, n_q, kv16.data(), stride, n_pos, hd, v.data(), o_stride);
            t.attn_scores_group(q.data(), q_stride, n_q, kv32.data(), stride, n_pos, hd, scale, s32.data(), s_stride);
            t.attn_values_group(w.data(), s_stride, n_q, kv32.data(), stride, n_pos, hd, v32.data(), o_stride);
            // Same arithmetic as the level's F32 kernel once widened; padding untouched as there.
            CHECK(same_rows(s, s32));
            CHECK(same_rows(v, v32));
            // Value sums keep the reference's order and rounding.
            CHECK(same_rows(v, v_ref));
            // Scores: float-lane summation, within the bound of kernels/attention.h (finite inputs).
            if (kind != Kind::Special)
              for (int h = 0; h < n_q; ++h)
                for (int p = 0; p < n_pos; ++p) {
                  double abs_sum = 0;
                  for (int d = 0; d < hd; ++d) abs_sum += std::fabs((double)q[h * q_stride + d] * kv32[p * stride + d]);
                  REQUIRE(std::fabs((double)s[h * s_stride + p] - s_ref[h * s_stride + p]) <=
                          dot_bound(hd, abs_sum, scale));
                }
            else
              for (size_t i = 0; i < s.size(); ++i) REQUIRE((std::isnan(s[i]) == std::isnan(s_ref[i])));
          }
        }
}
