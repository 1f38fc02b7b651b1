#include "kernels/float_gemm.h"

#include <cstring>
#include <vector>

#include "kernels/float_dot.h"
#include "kernels/fp16.h"

namespace tern::kernels {

void f16_gemm_ref(const FloatGemm& g, int64_t r0, int64_t r1) {
  const uint16_t* w = static_cast<const uint16_t*>(g.w);
  std::vector<uint16_t> row(g.layout == FloatLayout::R4 ? static_cast<size_t>(g.k) : 0);
  for (int64_t r = r0; r < r1; ++r) {
    const uint16_t* wr = w + r * g.k;
    if (g.layout == FloatLayout::R4) {
      f16_r4_row(w, g.k, r, row.data());
      wr = row.data();
    }
    for (int t = 0; t < g.n_tokens; ++t) g.y[t * g.ldy + r] = dot_f16_f32(wr, g.x + t * g.k, g.k) * g.scale;
  }
}

uint64_t f16_r4_nbytes(int64_t rows, int64_t k) { return static_cast<uint64_t>((rows + 3) / 4) * 4 * k * 2; }

void f16_repack_r4(const uint16_t* src, int64_t rows, int64_t k, uint16_t* dst, int64_t g0, int64_t g1) {
  for (int64_t g = g0; g < g1; ++g)
    for (int64_t c = 0; c < k / 16; ++c)
      for (int64_t j = 0; j < 4; ++j) {
        uint16_t* out = dst + (g * (k / 16) + c) * 64 + j * 16;
        const int64_t r = 4 * g + j;
        if (r < rows) std::memcpy(out, src + r * k + c * 16, 32);
        else std::memset(out, 0, 32);
      }
}

void f16_r4_row(const uint16_t* w, int64_t k, int64_t r, uint16_t* out) {
  for (int64_t c = 0; c < k / 16; ++c) std::memcpy(out + c * 16, w + ((r / 4) * (k / 16) + c) * 64 + (r % 4) * 16, 32);
}

void f32_gemm_ref(const FloatGemm& g, int64_t r0, int64_t r1) {
  const float* w = static_cast<const float*>(g.w);
  for (int64_t r = r0; r < r1; ++r)
    for (int t = 0; t < g.n_tokens; ++t)
      g.y[t * g.ldy + r] = dot_f32(w + r * g.k, g.x + t * g.k, g.k) * g.scale;
}

float dot_q8_0_q8_0(const uint8_t* w_blocks, const uint8_t* x_blocks, int64_t k) {
  const float* table = detail::fp16_table();
  double acc = 0.0;
  for (int64_t b = 0; b < k / kQ8_0Block; ++b) {
    const uint8_t* wb = w_blocks + b * kQ8_0BlockBytes;
    const uint8_t* xb = x_blocks + b * kQ8_0BlockBytes;
    uint16_t dw, dx;
    std::memcpy(&dw, wb, 2);
    std::memcpy(&dx, xb, 2);
    int32_t s = 0;
    for (int j = 0; j < kQ8_0Block; ++j) s += static_cast<int8_t>(wb[2 + j]) * static_cast<int8_t>(xb[2 + j]);
    acc += static_cast<double>(table[dw]) * static_cast<double>(table[dx]) * s;
  }
  return static_cast<float>(acc);
}

void q8_0_gemm_ref(const Q8Gemm& g, int64_t r0, int64_t r1) {
  const FloatGemm& f = g.f;
  const int64_t row_bytes = f.k / kQ8_0Block * kQ8_0BlockBytes;
  const uint8_t* w = static_cast<const uint8_t*>(f.w);
  for (int64_t r = r0; r < r1; ++r)
    for (int t = 0; t < f.n_tokens; ++t)
      f.y[t * f.ldy + r] = dot_q8_0_q8_0(w + r * row_bytes, g.xq + t * row_bytes, f.k) * f.scale;
}

}  // namespace tern::kernels
