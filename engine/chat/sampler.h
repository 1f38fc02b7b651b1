#pragma once
// Picks the next token from a row of logits: repetition, frequency and presence penalties,
// top-k, temperature softmax, top-p, min-p, then one draw from our own PRNG.
//
// Why our own PRNG and uniform: std::uniform_real_distribution (and the std engines' seeding
// helpers) give different numbers on libstdc++, libc++ and MSVC, and a fixed --seed must give the
// same text on every platform. xoshiro256** seeded through splitmix64 is fully specified, and the
// uniform double is built from its top 53 bits. (libm's expf may still differ by an ulp between
// platforms, which can only matter when a draw lands exactly on a bucket edge.)
//
// Non-finite logits: NaN is treated as -inf (never sampled); +inf is clamped to the largest float,
// so a +inf token wins (ties between several are sampled evenly); if every logit is -inf/NaN the
// sampler returns token 0 rather than failing, so a broken forward pass shows up as garbage text,
// not a crash. The sampler never produces NaN probabilities.
#include "engine/chat/logit_penalty.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tern {

struct SamplerParams {
    float temperature = 0.8f;     // <= 0: greedy (argmax, ties -> lowest id)
    int top_k = 40;               // <= 0: disabled
    float top_p = 0.95f;          // >= 1: disabled
    float min_p = 0.05f;          // <= 0: disabled (keeps p >= min_p * p_max)
    float repeat_penalty = 1.1f;  // 1: disabled; must be > 0
    // OpenAI's additive penalties, each in [-2, 2] (OpenAI's range); 0: disabled. A token seen
    // c > 0 times in the window loses c * frequency_penalty + presence_penalty (LogitPenalty).
    float frequency_penalty = 0.0f;
    float presence_penalty = 0.0f;
    // The window all three penalties look at: the last repeat_last_n accepted tokens, prompt
    // included; <= 0 disables every penalty. OpenAI counts only the tokens generated so far; we
    // keep llama.cpp's single window instead, so that one rule covers all three penalties, a
    // conversation's earlier replies (which come back as prompt) still count, and the cost per
    // token stays bounded by the window rather than growing with the reply.
    int repeat_last_n = 64;
    uint64_t seed = 0;            // 0: random (std::random_device)
};

// xoshiro256** (Blackman & Vigna), seeded by expanding one 64-bit seed with splitmix64, as
// its authors recommend. Public so tests and tools can check the stream.
class Xoshiro256 {
public:
    explicit Xoshiro256(uint64_t seed);
    // Raw state, for checking against the reference implementation's test vectors.
    static Xoshiro256 from_state(uint64_t s0, uint64_t s1, uint64_t s2, uint64_t s3);
    uint64_t next();
    // Uniform in [0, 1) from the top 53 bits: exact in a double, same on every platform.
    double uniform();

private:
    uint64_t s_[4];
};

class Sampler {
public:
    // Throws tern::Error if a float parameter is NaN, repeat_penalty is not a positive finite
    // number, or frequency_penalty / presence_penalty is not a finite number in [-2, 2].
    explicit Sampler(SamplerParams params);

    // Returns a token id in [0, n_vocab); entries of logits beyond n_vocab are never read, so
    // passing the tokenizer's size restricts a padded logits row to decodable ids. Does not
    // record the token: call accept() for every token that enters the context (prompt tokens
    // too, if the penalty should see them).
    // Throws tern::Error if logits is null or n_vocab <= 0.
    int32_t sample(const float* logits, int32_t n_vocab);

    void accept(int32_t token);

    // For output screening (engine/model/model.h, ScreenRequest): the most tokens sample() can
    // keep from a row of n_vocab logits before temperature, top-p and min-p: 1 when greedy,
    // top_k when 0 < top_k < n_vocab, else 0 (every logit matters).
    int32_t max_kept(int32_t n_vocab) const;
    // The ids the penalties will change at the next sample(), one entry per occurrence in the
    // window (so an id's count is its number of entries); empty when every penalty is off.
    const std::vector<int32_t>& penalised_ids() const;
    // What sample() does to the logit of each of those ids (LogitPenalty::apply).
    LogitPenalty penalty() const;
    // Forgets the penalty history and restarts the random stream from the seed (a fresh random
    // seed when params.seed == 0), so a fixed seed replays the same conversation.
    void reset();

    const SamplerParams& params() const { return params_; }
    // The seed actually in use (the drawn one when params.seed == 0), to print for reproduction.
    uint64_t effective_seed() const { return seed_; }

private:
    struct Cand {
        float logit;
        int32_t id;
    };
    void apply_penalty(int32_t n_vocab);
    int32_t sample_stochastic(int32_t n_vocab);
    void select_top_k(size_t k);
    size_t top_p_prefix(float l_max, double total, bool sorted);

    SamplerParams params_;
    uint64_t seed_ = 0;
    Xoshiro256 rng_;
    std::vector<int32_t> history_;  // ring buffer of the last repeat_last_n accepted tokens
    size_t history_next_ = 0;       // next slot to overwrite once the ring is full
    std::vector<int32_t> seen_;     // apply_penalty's sorted copy of history_
    // Scratch reused between calls: a 128k vocabulary would otherwise allocate 1.5 MB per token.
    std::vector<float> work_;
    std::vector<Cand> cands_;  // surviving tokens, logit and id side by side for cache-friendly sorts
    std::vector<double> probs_;  // unnormalised weights exp((l - l_max) / T), max entry = 1
};

}  // namespace tern
