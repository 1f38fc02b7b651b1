#include "engine/model/parallel_ops.h"

#include "engine/model/thread_pool.h"
#include "kernels/float_ops.h"

namespace tern {
namespace {

// Element-wise ranges are handed out in multiples of this many floats (64 KiB: whole cache
// lines, and enough work per chunk that handing it out costs nothing). A decode step's 2560 or
// 6912 floats stay on the calling thread: waking the pool for 2 µs of work costs more than it saves.
constexpr int64_t kElementGranule = 16384;

}  // namespace

void rmsnorm_rows(ThreadPool& pool, const float* x, const float* w, float* y, int n_rows, int64_t dim, float eps) {
    pool.parallel_for(n_rows, [&](int64_t t0, int64_t t1) {
        for (int64_t t = t0; t < t1; ++t) kernels::rmsnorm(x + t * dim, w, y + t * dim, dim, eps);
    });
}

void add_inplace(ThreadPool& pool, float* y, const float* x, int64_t n) {
    pool.parallel_for(n, [&](int64_t i0, int64_t i1) { kernels::add_inplace(y + i0, x + i0, i1 - i0); },
                      kElementGranule);
}

void relu2_mul(ThreadPool& pool, const float* gate, const float* up, float* y, int64_t n) {
    pool.parallel_for(n, [&](int64_t i0, int64_t i1) { kernels::relu2_mul(gate + i0, up + i0, y + i0, i1 - i0); },
                      kElementGranule);
}

void silu_mul(ThreadPool& pool, const float* gate, const float* up, float* y, int64_t n) {
    pool.parallel_for(n, [&](int64_t i0, int64_t i1) { kernels::silu_mul(gate + i0, up + i0, y + i0, i1 - i0); },
                      kElementGranule);
}

}  // namespace tern
