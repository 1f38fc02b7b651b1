#pragma once
// The per-token and element-wise steps of the forward pass (norms, residual adds, the FFN
// activation), spread over the thread pool. A prompt chunk has up to Model::kMaxBatch tokens and
// these steps ran on one thread while the other cores waited; at 2 threads they took ~7 % of a
// 512-token prefill. Each element (or each token's row, for the norm) is computed exactly as by
// the serial kernel, so results do not depend on the thread count. Small inputs (a decode step)
// run inline on the calling thread.
#include <cstdint>

namespace tern {

class ThreadPool;

// kernels::rmsnorm of n_rows rows of dim floats (row stride dim); y may alias x.
void rmsnorm_rows(ThreadPool& pool, const float* x, const float* w, float* y, int n_rows, int64_t dim, float eps);
// y += x over n floats.
void add_inplace(ThreadPool& pool, float* y, const float* x, int64_t n);
// kernels::relu2_mul / silu_mul over n floats.
void relu2_mul(ThreadPool& pool, const float* gate, const float* up, float* y, int64_t n);
void silu_mul(ThreadPool& pool, const float* gate, const float* up, float* y, int64_t n);

}  // namespace tern
