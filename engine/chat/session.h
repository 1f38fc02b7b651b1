#pragma once
// One conversation's state on a loaded model: its KV cache and the tokens in it. Consecutive
// calls reuse the cache for the prefix they share with what is cached, so a follow-up chat turn
// only processes its new tokens. A session is used by one thread at a time; a request's
// CancelToken may be cancelled from any thread.
#include "engine/chat/cancel_token.h"
#include "engine/error.h"
#include "engine/model/kv_cache.h"
#include "engine/model/model.h"
#include "engine/chat/sampler.h"

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

// The context a session gets when none is asked for (model_inspect.h has the rule). requested > 0 wins.
int32_t default_context(const Model& model, int32_t requested = 0);

struct SessionOptions {
    int32_t n_ctx = 0;  // 0: default_context(model)
    // Element type of the KV cache. F16 halves its memory and attention's reads, at the cost of
    // rounding every key and value to half precision (engine/model/kv_cache.h); F32 is exact
    // with respect to Tern's reference logits and the default.
    KvType kv_type = KvType::F32;
};

struct GenerateParams {
    int max_tokens = 256;  // <= 0: until the context is full
    SamplerParams sampling;
    std::vector<std::string> stop_strings;
    CancelToken cancel;  // generation returns within one token (reason Cancelled) once cancelled
    // When the reply fills the context: < 0 stops with ContextFull; otherwise the first
    // context_shift_keep tokens (BOS, a system prompt) stay, the oldest half of the rest is
    // forgotten, the cache is recomputed from what remains (exact, no position tricks) and the
    // reply goes on.
    int32_t context_shift_keep = -1;
};

enum class StopReason { EndOfGeneration, MaxTokens, StopString, Cancelled, ContextFull };
const char* stop_reason_name(StopReason);

// Output screening during decode (Model::forward, ScreenRequest): per decode step, the number of
// rows recomputed from the F16 output matrix, or a fallback to the full pass.
struct ScreenStats {
    std::vector<int32_t> candidates;  // per screened step
    int full = 0;                     // steps computed in full (screening off or not possible)
    int too_many = 0;                 // fallbacks: more candidates than ScreenRequest::max_candidates
    int unbounded = 0;                // fallbacks: a non-finite bound
    int violations = 0;               // fallbacks: an exact logit outside its bound (a bug if ever > 0)
    void add(const ScreenOutcome& o);
};

struct GenerateResult {
    std::string text;              // what was shown (stop string and special tokens excluded)
    std::vector<int32_t> tokens;   // generated ids, including a final end-of-generation token
    StopReason reason = StopReason::MaxTokens;
    int n_prompt = 0;              // prompt tokens
    int n_prompt_reused = 0;       // of which were already in the cache
    double prefill_seconds = 0;
    double decode_seconds = 0;
    int n_decoded = 0;             // tokens evaluated during decode
    int n_context_shifts = 0;      // times the oldest half of the context was forgotten
    ScreenStats screening;         // the decode steps' output screening
};

class Session {
public:
    // Throws tern::Error if the context is out of range or its KV cache does not fit in the
    // memory available (engine/model/model_limits.h).
    explicit Session(const Model& model, SessionOptions options = {});

    const Model& model() const { return model_; }
    int32_t n_ctx() const { return kv_.n_ctx(); }
    KvType kv_type() const { return kv_.type(); }
    const std::vector<int32_t>& tokens() const { return tokens_; }

    // Makes the cache hold exactly `prompt` (reusing the common prefix) and returns the logits
    // after its last token. Returns the number of tokens reused. Throws ContextFullError. Once
    // `cancel` is cancelled it stops between batches and the cache holds part of the prompt.
    // With `sampling` (and screening on), the logits after the last token are screened
    // (ScreenRequest) for a sampler with those parameters whose repetition penalty sees the cached
    // tokens, as decode() builds it: then only the candidates' logits are finite.
    int prefill(const std::vector<int32_t>& prompt, const CancelToken& cancel = {},
                const SamplerParams* sampling = nullptr);
    // After decode() or advance() with screening, only the candidates' logits are finite (the
    // others are -inf): what the sampler needs, see ScreenRequest.
    const std::vector<float>& last_logits() const { return logits_; }

    // Appends `id` and computes the logits `sampler` needs for the next token: screened
    // (ScreenRequest) when the model and the sampler allow and screening is enabled, else all.
    // Throws ContextFullError if the context is full. decode() uses it per token.
    ScreenOutcome advance(int32_t id, const Sampler& sampler);
    // Enables output screening in decode()/advance() (default: on; used when the model has a
    // screening copy, LoadOptions::output_screening).
    void set_screening(bool on) { screening_ = on; }

    // Samples from the logits the last prefill() left until an end-of-generation token, a stop
    // string, max_tokens, the end of the context or params.cancel. on_piece receives text as it is
    // generated, never half a UTF-8 character nor part of a stop string. The repetition penalty
    // sees the cached tokens as history. Fills the reply fields of the result (not the prompt's).
    GenerateResult decode(const GenerateParams& params, const std::function<void(std::string_view)>& on_piece = {});

    // prefill() then decode().
    GenerateResult generate(const std::vector<int32_t>& prompt, const GenerateParams& params,
                            const std::function<void(std::string_view)>& on_piece = {});

    // Makes this cache hold the first n tokens of `other`'s (same model and context size), copied
    // instead of computed. The logits are not copied: prefill() evaluates at least one token.
    void copy_prefix_from(const Session& other, size_t n);

    // Evaluates `tokens` from an empty cache and calls on_logits(i, logits of position i) for
    // every position, a batch at a time (a whole window of logits would not fit in memory for a
    // 128k vocabulary). Throws ContextFullError if they do not fit.
    void evaluate_all(const std::vector<int32_t>& tokens,
                      const std::function<void(size_t, const float*)>& on_logits);
    // Logits of every position of `tokens`, evaluated from an empty cache: [n][n_vocab].
    std::vector<float> logits_all(const std::vector<int32_t>& tokens);

    void reset() { tokens_.clear(); }

private:
    // Forgets the oldest half of the cache after its first `keep` tokens and recomputes what
    // remains; false when keep < 0, nothing can be freed, or cancelled meanwhile.
    bool shift_context(int32_t keep, const CancelToken& cancel);
    void eval(const int32_t* ids, int n, LogitsFor which, float* out);

    const Model& model_;
    KvCache kv_;
    ForwardScratch scratch_;
    std::vector<int32_t> tokens_;  // tokens whose keys/values are in kv_, in order
    std::vector<float> logits_;
    bool screening_ = true;
    ScreenOutcome prefill_screen_;  // of the last prefill() (generate() reports it)
};

}  // namespace tern
