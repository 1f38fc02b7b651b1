// splitmix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", 2014), the
// one copy used by the engine (sampler seeding, synthetic models, tokenizer hash tables), the
// kernel benchmark and the tests. Fully specified integer arithmetic: the same numbers on every
// platform and standard library, which <random>'s distributions do not promise. Header-only and
// free of engine dependencies so that kernels/ may use it too.
#pragma once

#include <cstdint>

namespace tern {

// The splitmix64 output function alone: a bijective mix of all 64 bits, also a good hash for
// structured integer keys.
constexpr uint64_t splitmix64_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Advances `state` by the golden-ratio increment and returns the next number of the stream.
constexpr uint64_t splitmix64_next(uint64_t& state) {
  state += 0x9E3779B97F4A7C15ull;
  return splitmix64_mix(state);
}

}  // namespace tern
