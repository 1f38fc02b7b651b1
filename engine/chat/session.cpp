#include "engine/chat/session.h"

#include "engine/model/model_inspect.h"
#include "engine/model/model_limits.h"
#include "engine/chat/stop_strings.h"
#include "engine/model/system_memory.h"
#include "engine/tokenizer/tokenizer.h"
#include "engine/tokenizer/utf8_stream.h"

#include <algorithm>
#include <chrono>

namespace tern {
namespace {

// The context size to use, once its KV cache is known to be addressable and to fit in memory
// (the cache is allocated untouched, so without this check an oversized one would only fail
// when the conversation grows into pages the system cannot give).
int32_t checked_ctx(const Model& m, int32_t requested, KvType type) {
    const int32_t n_ctx = default_context(m, requested);
    check_fits_in_memory(std::to_string(n_ctx) + " tokens of context (the KV cache; use a smaller context)",
                         kv_cache_bytes(m.config(), n_ctx, type), available_physical_memory());
    return n_ctx;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int32_t default_context(const Model& model, int32_t requested) { return default_context(model.config(), requested); }

const char* stop_reason_name(StopReason r) {
    switch (r) {
        case StopReason::EndOfGeneration: return "end of generation";
        case StopReason::MaxTokens: return "token limit";
        case StopReason::StopString: return "stop string";
        case StopReason::Cancelled: return "cancelled";
        case StopReason::ContextFull: return "context full";
    }
    return "?";
}

Session::Session(const Model& model, SessionOptions options)
    : model_(model),
      kv_(model.config().n_layer, checked_ctx(model, options.n_ctx, options.kv_type), model.config().n_head_kv,
          model.config().head_dim, options.kv_type) {
    logits_.resize(model.config().n_vocab);
}

void ScreenStats::add(const ScreenOutcome& o) {
    switch (o.kind) {
        case ScreenOutcome::Kind::Screened: candidates.push_back(o.candidates); break;
        case ScreenOutcome::Kind::Full: ++full; break;
        case ScreenOutcome::Kind::TooMany: ++too_many; break;
        case ScreenOutcome::Kind::Unbounded: ++unbounded; break;
        case ScreenOutcome::Kind::Violation: ++violations; break;
    }
}

namespace {

// What `sampler` will do with the next row of logits, of which it reads the first n_sample.
// The request points into the sampler's penalty window: valid until its next accept().
ScreenRequest screen_request(const Sampler& sampler, int32_t n_sample) {
    ScreenRequest req;
    req.keep = sampler.max_kept(n_sample);
    req.n_rows = n_sample;
    req.penalty = sampler.penalty();
    const std::vector<int32_t>& pen = sampler.penalised_ids();
    req.penalised = pen.data();
    req.n_penalised = (int32_t)pen.size();
    return req;
}

}  // namespace

ScreenOutcome Session::advance(int32_t id, const Sampler& sampler) {
    if ((int64_t)tokens_.size() >= kv_.n_ctx())
        throw ContextFullError("context full: " + std::to_string(tokens_.size()) + " tokens");
    ScreenOutcome outcome;
    const int32_t n_sample = model_.tokenizer().n_vocab();  // as decode() samples
    const int32_t keep = screening_ ? sampler.max_kept(n_sample) : 0;
    if (keep > 0 && model_.can_screen()) {
        const ScreenRequest req = screen_request(sampler, n_sample);
        const int32_t pos = (int32_t)tokens_.size();
        model_.forward(&id, 1, pos, kv_, scratch_, LogitsFor::Last, logits_.data(), &req, &outcome);
        tokens_.push_back(id);
    } else {
        eval(&id, 1, LogitsFor::Last, logits_.data());
    }
    return outcome;
}

void Session::eval(const int32_t* ids, int n, LogitsFor which, float* out) {
    const int32_t pos = (int32_t)tokens_.size();
    model_.forward(ids, n, pos, kv_, scratch_, which, out);
    tokens_.insert(tokens_.end(), ids, ids + n);
}

void Session::copy_prefix_from(const Session& other, size_t n) {
    if (&other.model_ != &model_ || other.kv_.n_ctx() != kv_.n_ctx() || other.kv_.type() != kv_.type())
        throw Error("copy_prefix_from: the sessions differ in model, context size or KV type");
    n = std::min(n, other.tokens_.size());
    kv_.copy_prefix_from(other.kv_, (int32_t)n);
    tokens_.assign(other.tokens_.begin(), other.tokens_.begin() + (std::ptrdiff_t)n);
}

int Session::prefill(const std::vector<int32_t>& prompt, const CancelToken& cancel, const SamplerParams* sampling) {
    prefill_screen_ = ScreenOutcome{};
    if (prompt.empty()) throw Error("empty prompt");
    if ((int64_t)prompt.size() > kv_.n_ctx())
        throw ContextFullError("the prompt has " + std::to_string(prompt.size()) +
                               " tokens but the context holds " + std::to_string(kv_.n_ctx()));
    // Keep the longest common prefix; at least the last prompt token is evaluated again so that
    // its logits exist.
    size_t common = 0;
    while (common < tokens_.size() && common < prompt.size() && tokens_[common] == prompt[common]) ++common;
    common = std::min(common, prompt.size() - 1);
    tokens_.resize(common);
    // In chunks, so that a cancel interrupts a long prompt too.
    for (size_t done = common; done < prompt.size();) {
        if (cancel.cancelled()) break;
        const int n = (int)std::min<size_t>(Model::kMaxBatch, prompt.size() - done);
        const bool last = done + n == prompt.size();
        if (last && sampling && screening_ && model_.can_screen()) {
            // The sampler decode() will build: same parameters, the whole cache as its penalty
            // history (the seed plays no part in which tokens it can keep).
            SamplerParams p = *sampling;
            p.seed = 1;
            Sampler sampler(p);
            for (int32_t id : prompt) sampler.accept(id);
            const ScreenRequest req = screen_request(sampler, model_.tokenizer().n_vocab());
            model_.forward(prompt.data() + done, n, (int32_t)tokens_.size(), kv_, scratch_, LogitsFor::Last,
                           logits_.data(), req.keep > 0 ? &req : nullptr, &prefill_screen_);
            tokens_.insert(tokens_.end(), prompt.data() + done, prompt.data() + done + n);
        } else {
            eval(prompt.data() + done, n, last ? LogitsFor::Last : LogitsFor::None, logits_.data());
        }
        done += n;
    }
    return (int)common;
}

GenerateResult Session::generate(const std::vector<int32_t>& prompt, const GenerateParams& params,
                                 const std::function<void(std::string_view)>& on_piece) {
    const auto t0 = std::chrono::steady_clock::now();
    const int reused = prefill(prompt, params.cancel, &params.sampling);
    const ScreenOutcome first = prefill_screen_;
    const double prefill_seconds = seconds_since(t0);
    GenerateResult result;
    if (params.cancel.cancelled())
        result.reason = StopReason::Cancelled;
    else
        result = decode(params, on_piece);
    if (first.kind != ScreenOutcome::Kind::Full) result.screening.add(first);  // the first token's logits
    result.n_prompt = (int)prompt.size();
    result.n_prompt_reused = reused;
    result.prefill_seconds = prefill_seconds;
    return result;
}

bool Session::shift_context(int32_t keep, const CancelToken& cancel) {
    if (keep < 0) return false;
    // Never keep so much that forgetting half of the rest frees too little to go on.
    keep = std::min<int32_t>(keep, kv_.n_ctx() / 4);
    const size_t rest = tokens_.size() - (size_t)keep;
    const size_t forget = rest / 2;
    if (forget == 0) return false;
    std::vector<int32_t> kept(tokens_.begin(), tokens_.begin() + keep);
    kept.insert(kept.end(), tokens_.begin() + (std::ptrdiff_t)(keep + forget), tokens_.end());
    // prefill() keeps the common prefix (the first `keep` tokens) and recomputes the rest at
    // their new positions.
    prefill(kept, cancel);
    return !cancel.cancelled();
}

GenerateResult Session::decode(const GenerateParams& params, const std::function<void(std::string_view)>& on_piece) {
    if (tokens_.empty()) throw Error("decode() needs a prefilled prompt");
    GenerateResult result;
    const Tokenizer& tok = model_.tokenizer();
    Sampler sampler(params.sampling);
    for (int32_t id : tokens_) sampler.accept(id);  // the repetition penalty looks at the prompt too
    Utf8StreamDecoder utf8;
    StopStringFilter stops(params.stop_strings);
    auto emit = [&](const std::string& text) {
        if (text.empty()) return;
        result.text += text;
        if (on_piece) on_piece(text);
    };

    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0;; ++i) {
        if (params.max_tokens > 0 && i >= params.max_tokens) { result.reason = StopReason::MaxTokens; break; }
        if (params.cancel.cancelled()) { result.reason = StopReason::Cancelled; break; }
        // Only ids the tokenizer can decode: embeddings are often padded beyond the vocabulary
        // (to a multiple of 64 or 128), and those rows' logits are meaningless. Sampling over
        // the first n ids reads no more and copies no more than sampling over all of them.
        const int32_t id = sampler.sample(logits_.data(), tok.n_vocab());
        sampler.accept(id);
        result.tokens.push_back(id);
        if (tok.is_eog(id)) { result.reason = StopReason::EndOfGeneration; break; }
        if (!tok.is_special(id)) {
            emit(stops.push(utf8.push(tok.token_bytes(id))));
            if (stops.stopped()) { result.reason = StopReason::StopString; break; }
        }
        if ((int64_t)tokens_.size() >= kv_.n_ctx()) {
            if (!shift_context(params.context_shift_keep, params.cancel)) {
                result.reason = params.cancel.cancelled() ? StopReason::Cancelled : StopReason::ContextFull;
                break;
            }
            ++result.n_context_shifts;
        }
        // The sampler has accepted `id`: its penalty window is that of the next sample().
        result.screening.add(advance(id, sampler));
        ++result.n_decoded;
    }
    if (!stops.stopped()) emit(stops.push(utf8.flush()) + stops.flush());
    result.decode_seconds = seconds_since(t0);
    return result;
}

void Session::evaluate_all(const std::vector<int32_t>& ids,
                           const std::function<void(size_t, const float*)>& on_logits) {
    if ((int64_t)ids.size() > kv_.n_ctx())
        throw ContextFullError(std::to_string(ids.size()) + " tokens do not fit in a context of " +
                               std::to_string(kv_.n_ctx()));
    const size_t n_vocab = (size_t)model_.config().n_vocab;
    std::vector<float> batch((size_t)Model::kMaxBatch * n_vocab);
    tokens_.clear();
    for (size_t done = 0; done < ids.size();) {
        const int n = (int)std::min<size_t>(Model::kMaxBatch, ids.size() - done);
        eval(ids.data() + done, n, LogitsFor::All, batch.data());
        for (int i = 0; i < n; ++i) on_logits(done + i, batch.data() + i * n_vocab);
        done += n;
    }
    if (!ids.empty()) std::copy_n(batch.data() + ((ids.size() - 1) % Model::kMaxBatch) * n_vocab, n_vocab, logits_.begin());
}

std::vector<float> Session::logits_all(const std::vector<int32_t>& ids) {
    const size_t n_vocab = (size_t)model_.config().n_vocab;
    check_fits_in_memory("the logits of " + std::to_string(ids.size()) + " positions",
                         logits_bytes(model_.config(), ids.size()), available_physical_memory());
    std::vector<float> out(ids.size() * n_vocab);
    evaluate_all(ids, [&](size_t i, const float* logits) { std::copy_n(logits, n_vocab, out.begin() + i * n_vocab); });
    return out;
}

}  // namespace tern
