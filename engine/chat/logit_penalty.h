#pragma once
// The penalties a sampler applies to the logit of a token seen in its penalty window: one
// definition shared by Sampler::apply_penalty and output screening (Model::screen_logits), which
// applies the same arithmetic to both ends of each logit's bracket; if the two computed anything
// but the same floats, screening could keep the wrong candidates.
#include <cmath>
#include <cstdint>

namespace tern {

struct LogitPenalty {
    float repeat = 1.0f;     // llama.cpp's multiplicative penalty; 1: off
    float frequency = 0.0f;  // OpenAI's frequency_penalty: subtracted once per occurrence; 0: off
    float presence = 0.0f;   // OpenAI's presence_penalty: subtracted once if seen at all; 0: off

    bool active() const { return repeat != 1.0f || frequency != 0.0f || presence != 0.0f; }

    // The logit of a token seen count > 0 times: first the repeat penalty (a positive logit is
    // divided, a non-positive one multiplied, so repeat > 1 always lowers it; applied once however
    // often the token occurs), then the additive ones, as llama.cpp orders them:
    //     l -= count * frequency + presence.
    // Each product-then-sum is one std::fma, rounded once: a compiler may otherwise contract
    // a * b + c into an FMA in one inlined copy and not in another (GCC does on ARM64), and the
    // sampler and screening would then differ by an ulp. Monotone non-decreasing in the logit,
    // also in float arithmetic (repeat > 0, rounding is monotone, and the two branches meet at
    // 0 - shift), which is what lets screening apply it to lower and upper bounds alike.
    // With frequency = presence = 0 the shift is +0 and the result is exactly logit / repeat or
    // logit * repeat.
    float apply(float logit, int32_t count) const {
        const float shift = std::fma(static_cast<float>(count), frequency, presence);
        return logit > 0.0f ? logit / repeat - shift : std::fma(logit, repeat, -shift);
    }
};

}  // namespace tern
