#pragma once
// One conversation's state on a loaded model: its KV cache and the tokens in it. Consecutive
// calls reuse the cache for the prefix they share with what is cached, so a follow-up chat turn
// only processes its new tokens. A session is used by one thread at a time, except cancel().
#include "engine/error.h"
#include "engine/kv_cache.h"
#include "engine/model.h"
#include "engine/sampler.h"

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tern {

// The prompt does not fit in the context window.
class ContextFullError : public Error {
public:
    using Error::Error;
};

struct SessionOptions {
    int32_t n_ctx = 0;  // 0: the model's training context, at most 4096
};

struct GenerateParams {
    int max_tokens = 256;  // <= 0: until the context is full
    SamplerParams sampling;
    std::vector<std::string> stop_strings;
};

enum class StopReason { EndOfGeneration, MaxTokens, StopString, Cancelled, ContextFull };
const char* stop_reason_name(StopReason);

struct GenerateResult {
    std::string text;              // what was shown (stop string and special tokens excluded)
    std::vector<int32_t> tokens;   // generated ids, including a final end-of-generation token
    StopReason reason = StopReason::MaxTokens;
    int n_prompt = 0;              // prompt tokens
    int n_prompt_reused = 0;       // of which were already in the cache
    double prefill_seconds = 0;
    double decode_seconds = 0;
    int n_decoded = 0;             // tokens evaluated during decode
};

class Session {
public:
    // Throws tern::Error if the context is out of range or its KV cache does not fit in the
    // memory available (engine/model_limits.h).
    explicit Session(const Model& model, SessionOptions options = {});

    const Model& model() const { return model_; }
    int32_t n_ctx() const { return kv_.n_ctx(); }
    const std::vector<int32_t>& tokens() const { return tokens_; }

    // Makes the cache hold exactly `prompt` (reusing the common prefix) and returns the logits
    // after its last token. Returns the number of tokens reused. Throws ContextFullError.
    int prefill(const std::vector<int32_t>& prompt);
    const std::vector<float>& last_logits() const { return logits_; }

    // Prefills, then samples until an end-of-generation token, a stop string, max_tokens, the
    // end of the context or cancel(). on_piece receives text as it is generated, never half a
    // UTF-8 character nor part of a stop string.
    GenerateResult generate(const std::vector<int32_t>& prompt, const GenerateParams& params,
                            const std::function<void(std::string_view)>& on_piece = {});

    // Evaluates `tokens` from an empty cache and calls on_logits(i, logits of position i) for
    // every position, a batch at a time (a whole window of logits would not fit in memory for a
    // 128k vocabulary). Throws ContextFullError if they do not fit.
    void evaluate_all(const std::vector<int32_t>& tokens,
                      const std::function<void(size_t, const float*)>& on_logits);
    // Logits of every position of `tokens`, evaluated from an empty cache: [n][n_vocab].
    std::vector<float> logits_all(const std::vector<int32_t>& tokens);

    // Thread-safe: the running generate() returns within one token with reason Cancelled.
    void cancel() { cancel_.store(true); }
    void reset() { tokens_.clear(); }

private:
    void eval(const int32_t* ids, int n, LogitsFor which, float* out);

    const Model& model_;
    KvCache kv_;
    ForwardScratch scratch_;
    std::vector<int32_t> tokens_;  // tokens whose keys/values are in kv_, in order
    std::vector<float> logits_;
    std::atomic<bool> cancel_{false};
};

}  // namespace tern
