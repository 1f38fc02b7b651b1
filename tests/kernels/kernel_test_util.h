// Deterministic random inputs for the kernel tests. Own generator (splitmix64) rather than
// <random> distributions, whose output differs between standard libraries.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/splitmix64.h"

namespace tern_ktest {

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    return tern::splitmix64_next(s_);
  }
  // Uniform in [lo, hi).
  float uniform(float lo, float hi) {
    const double u = static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0);
    return static_cast<float>(lo + (hi - lo) * u);
  }
  int8_t ternary() { return static_cast<int8_t>(static_cast<int>(next() % 3) - 1); }
  int8_t i8() { return static_cast<int8_t>(static_cast<int>(next() % 256) - 128); }

 private:
  uint64_t s_;
};

inline std::vector<float> random_floats(Rng& r, size_t n, float lo = -1.0f, float hi = 1.0f) {
  std::vector<float> v(n);
  for (auto& x : v) x = r.uniform(lo, hi);
  return v;
}

inline std::vector<int8_t> random_ternary(Rng& r, size_t n) {
  std::vector<int8_t> v(n);
  for (auto& x : v) x = r.ternary();
  return v;
}

inline std::vector<int8_t> random_i8(Rng& r, size_t n) {
  std::vector<int8_t> v(n);
  for (auto& x : v) x = r.i8();
  return v;
}

}  // namespace tern_ktest

#include <string>

#include "kernels/cpu.h"
#include "kernels/dispatch.h"

namespace tern_ktest {

// Every dispatch level this CPU can run (scalar first). The SIMD tests compare each of them with
// the scalar reference; levels this machine lacks are reported, not silently passed.
inline std::vector<tern::kernels::CpuLevel> levels_to_test() { return tern::kernels::supported_cpu_levels(); }

inline std::string level_name(tern::kernels::CpuLevel l) { return tern::kernels::cpu_level_name(l); }

}  // namespace tern_ktest
