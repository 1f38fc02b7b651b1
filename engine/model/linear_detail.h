#pragma once
// What the linear layer implementations share (linear.cpp, linear_ternary.cpp, linear_float.cpp);
// not part of the engine's interface: include engine/model/linear.h instead.
#include "engine/model/linear.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace tern::linear_detail {

// Output rows are handed to threads in multiples of this many, so two threads never write to
// the same cache line of y, and I2S_R4 row groups (4 rows) are never split.
constexpr int64_t kRowGranule = 16;

// Runs fn(begin, end) over [0, n) on the pool if there is one.
void maybe_parallel(ThreadPool* pool, int64_t n, int64_t granule, const std::function<void(int64_t, int64_t)>& fn);

// Runs fn(begin, end) over [0, n) like maybe_parallel, but with release_source in slices of
// about 32 MiB of source (`unit_bytes` per item), releasing each slice's source pages once it is
// consumed: the memory a repack holds at once is its output plus one slice of input.
void consume_in_slices(const LinearOptions& o, const uint8_t* src, int64_t n, int64_t granule, uint64_t unit_bytes,
                       uint64_t src_bytes, const std::function<void(int64_t, int64_t)>& fn);

// Per-call scratch of the calling thread (forward() runs on one thread at a time per model).
struct Scratch {
    std::vector<int8_t> q;
    std::vector<uint8_t> q8;
    std::vector<int32_t> qsum;
    std::vector<float> factor;
    std::vector<float> f;
    std::vector<uint8_t> rows;  // rows read through the file (forward_rows)
};
Scratch& scratch();

// The layers by weight kind (make_linear picks one): linear_ternary.cpp, linear_float.cpp.
std::unique_ptr<Linear> make_ternary_linear(const WeightView& w, float output_scale, const LinearOptions& o);
std::unique_ptr<Linear> make_float_linear(const WeightView& w, float output_scale, const LinearOptions& o);
// The float layer's load-time choices (linear_owns_weights, linear_screenable).
bool float_screenable(const WeightView& w, const LinearOptions& o, float output_scale);
bool float_requantizable(const WeightView& w);
bool float_f16_repackable(const WeightView& w);

}  // namespace tern::linear_detail
