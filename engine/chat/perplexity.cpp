#include "engine/chat/perplexity.h"

#include "engine/error.h"
#include "engine/chat/session.h"

#include <algorithm>
#include <cmath>

namespace tern {

PerplexityResult compute_perplexity(Session& session, const std::vector<int32_t>& tokens, int32_t window,
                                    const std::function<void(int64_t, int64_t)>& progress) {
    if (tokens.size() < 2) throw Error("perplexity needs at least two tokens of text");
    window = std::min(window, session.n_ctx());
    if (window < 2) throw Error("perplexity needs a window of at least two tokens");
    const int32_t n_vocab = session.model().config().n_vocab;
    double nll_sum = 0;
    int64_t scored = 0;
    const int64_t total = (int64_t)tokens.size() - 1;
    for (size_t start = 0; start + 1 < tokens.size(); start += (size_t)window - 1) {
        const size_t end = std::min(tokens.size(), start + (size_t)window);
        std::vector<int32_t> chunk(tokens.begin() + start, tokens.begin() + end);
        session.evaluate_all(chunk, [&](size_t i, const float* logits) {
            if (i + 1 >= chunk.size()) return;  // the last position predicts beyond the window
            // log-softmax in double: the sum over 128k logits loses precision in float.
            float max = logits[0];
            for (int32_t v = 1; v < n_vocab; ++v) max = std::max(max, logits[v]);
            double sum = 0;
            for (int32_t v = 0; v < n_vocab; ++v) sum += std::exp((double)logits[v] - max);
            nll_sum += std::log(sum) + max - logits[chunk[i + 1]];
            ++scored;
        });
        if (progress) progress(scored, total);
    }
    PerplexityResult r;
    r.n_scored = scored;
    r.mean_nll = nll_sum / (double)scored;
    r.perplexity = std::exp(r.mean_nll);
    return r;
}

}  // namespace tern
