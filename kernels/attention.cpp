#include "kernels/attention.h"

#include <cstring>
#include <vector>

#include "kernels/float_dot.h"
#include "kernels/fp16.h"

namespace tern::kernels {

void attn_scores_ref(const float* q, const float* k, int64_t k_stride, int n_pos, int hd, float scale,
                     float* scores) {
  for (int p = 0; p < n_pos; ++p) scores[p] = dot_f32(q, k + p * k_stride, hd) * scale;
}

void attn_values_ref(const float* w, const float* v, int64_t v_stride, int n_pos, int hd, float* out) {
  for (int d = 0; d < hd; ++d) out[d] = 0.0f;
  for (int p = 0; p < n_pos; ++p) {
    const float* vp = v + p * v_stride;
    const float wp = w[p];
    for (int d = 0; d < hd; ++d) out[d] = out[d] + wp * vp[d];
  }
}

void attn_scores_group_ref(const float* q, int64_t q_stride, int n_q, const float* k, int64_t k_stride, int n_pos,
                           int hd, float scale, float* scores, int64_t s_stride) {
  for (int h = 0; h < n_q; ++h) attn_scores_ref(q + h * q_stride, k, k_stride, n_pos, hd, scale, scores + h * s_stride);
}

void attn_values_group_ref(const float* w, int64_t w_stride, int n_q, const float* v, int64_t v_stride, int n_pos,
                           int hd, float* out, int64_t out_stride) {
  for (int h = 0; h < n_q; ++h) attn_values_ref(w + h * w_stride, v, v_stride, n_pos, hd, out + h * out_stride);
}

void attn_scores_group_f16_ref(const float* q, int64_t q_stride, int n_q, const uint16_t* k, int64_t k_stride,
                               int n_pos, int hd, float scale, float* scores, int64_t s_stride) {
  // Widen each key row, then exactly the F32 reference (widening is exact).
  std::vector<float> row((size_t)hd);
  for (int p = 0; p < n_pos; ++p) {
    fp16_to_f32_row(k + p * k_stride, row.data(), hd);
    for (int h = 0; h < n_q; ++h) scores[h * s_stride + p] = dot_f32(q + h * q_stride, row.data(), hd) * scale;
  }
}

void attn_values_group_f16_ref(const float* w, int64_t w_stride, int n_q, const uint16_t* v, int64_t v_stride,
                               int n_pos, int hd, float* out, int64_t out_stride) {
  const float* table = detail::fp16_table();
  for (int h = 0; h < n_q; ++h) {
    const float* wh = w + h * w_stride;
    float* oh = out + h * out_stride;
    for (int d = 0; d < hd; ++d) oh[d] = 0.0f;
    for (int p = 0; p < n_pos; ++p) {
      const uint16_t* vp = v + p * v_stride;
      const float wp = wh[p];
      for (int d = 0; d < hd; ++d) oh[d] = oh[d] + wp * table[vp[d]];
    }
  }
}

uint64_t xor_words_ref(const uint8_t* p, uint64_t n) {
  uint64_t x = 0;
  for (uint64_t i = 0; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    x ^= w;
  }
  return x;
}

}  // namespace tern::kernels
