// Element-wise float operations of the transformer forward pass (scalar reference).
#pragma once

#include <cstdint>

namespace tern::kernels {

// y = x / sqrt(mean(x²) + eps) · w   (w == nullptr: no weight). The sum of squares is
// accumulated in double and the factor 1/sqrt(mean + eps) computed in double then rounded to
// float once; y[i] = (x[i] · factor) · w[i] in float, the same order as ggml's rms_norm + mul.
// y may alias x.
void rmsnorm(const float* x, const float* w, float* y, int64_t n, float eps);

// Rotary position embedding on one head of head_dim floats, in place. Dims [0, n_rot) are
// rotated, the rest are left untouched; n_rot must be even and <= head_dim (assert()ed).
// For pair i in [0, n_rot/2): theta_i = pos · base^(-2i/n_rot), (a, b) -> (a·cosθ - b·sinθ,
// a·sinθ + b·cosθ). Like ggml, theta is computed in float as theta_0 = pos and
// theta_{i+1} = theta_i · powf(base, -2/n_rot) (iterated, not a fresh pow per pair), so results
// match llama.cpp's rope bit-for-bit modulo libm's cosf/sinf.
// NEOX style (GPT-NeoX, BitNet b1.58 2B4T, LLaMA in HF layout): pairs (i, i + n_rot/2).
void rope_neox(float* head, int head_dim, int n_rot, int pos, float freq_base);
// "Normal" / GPT-J style (LLaMA in Meta layout): pairs (2i, 2i+1).
void rope_adjacent(float* head, int head_dim, int n_rot, int pos, float freq_base);

// x = softmax(x), computed as exp(x - max) / Σ with the sum in double. -inf entries get
// probability 0; if every entry is -inf (a fully masked row) the result is all zeros rather than
// NaN. n == 0 is a no-op.
void softmax_inplace(float* x, int64_t n);

// y = silu(gate) · up, silu(g) = g / (1 + exp(-g)). y may alias gate or up.
void silu_mul(const float* gate, const float* up, float* y, int64_t n);
// y = relu(gate)² · up (BitNet b1.58 2B4T's FFN activation). y may alias gate or up.
void relu2_mul(const float* gate, const float* up, float* y, int64_t n);

// y += x
void add_inplace(float* y, const float* x, int64_t n);
// x *= s
void scale_inplace(float* x, int64_t n, float s);

}  // namespace tern::kernels
