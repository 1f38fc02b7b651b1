#pragma once
// Perplexity of a model over a token sequence: how surprised it is by each next token.
#include <cstdint>
#include <functional>
#include <vector>

namespace tern {

class Session;

struct PerplexityResult {
    double mean_nll = 0;    // mean negative log-likelihood per predicted token (nats)
    double perplexity = 0;  // exp(mean_nll)
    int64_t n_scored = 0;   // tokens predicted
};

// Splits `tokens` into windows of at most `window` tokens that overlap by one, so every token
// after the first is predicted exactly once, from the tokens before it in its window (the cache
// starts empty in each window). progress(done, total) is called after each window.
PerplexityResult compute_perplexity(Session& session, const std::vector<int32_t>& tokens, int32_t window,
                                    const std::function<void(int64_t, int64_t)>& progress = {});

}  // namespace tern
