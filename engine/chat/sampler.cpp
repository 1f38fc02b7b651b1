#include "engine/chat/sampler.h"

#include "engine/error.h"
#include "kernels/splitmix64.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <random>
#include <string>
#include <utility>

namespace tern {

namespace {

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t random_seed() {
    std::random_device rd;
    uint64_t s = (static_cast<uint64_t>(rd()) << 32) ^ static_cast<uint64_t>(rd());
    // 0 means "random" in SamplerParams; never hand it out as the effective seed, or feeding
    // the printed seed back would not reproduce the run.
    return s != 0 ? s : 0x5eedULL;
}

// NaN would poison every comparison and the softmax sum; -inf simply removes the token.
// +inf is clamped so (l - l_max) stays finite and the +inf tokens get weight 1 each.
// Written without branches so the compiler can vectorise the 128k-entry pass.
inline float sanitize(float x) {
    const float clamped = x < FLT_MAX ? x : FLT_MAX;  // NaN compares false: handled next
    return x == x ? clamped : -INFINITY;
}

}  // namespace

Xoshiro256::Xoshiro256(uint64_t seed) {
    uint64_t x = seed;
    for (auto& s : s_) s = splitmix64_next(x);
}

Xoshiro256 Xoshiro256::from_state(uint64_t s0, uint64_t s1, uint64_t s2, uint64_t s3) {
    Xoshiro256 r(0);
    r.s_[0] = s0;
    r.s_[1] = s1;
    r.s_[2] = s2;
    r.s_[3] = s3;
    return r;
}

uint64_t Xoshiro256::next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

double Xoshiro256::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

Sampler::Sampler(SamplerParams params)
    : params_(params), seed_(params.seed != 0 ? params.seed : random_seed()), rng_(seed_) {
    if (std::isnan(params_.temperature) || std::isnan(params_.top_p) ||
        std::isnan(params_.min_p) || std::isnan(params_.repeat_penalty))
        throw Error("sampler: temperature, top_p, min_p and repeat_penalty must be numbers (got NaN)");
    if (!(params_.repeat_penalty > 0.0f) || std::isinf(params_.repeat_penalty))
        throw Error("sampler: repeat_penalty must be a positive finite number (1 disables it), got " +
                    std::to_string(params_.repeat_penalty));
    const std::pair<const char*, float> additive[] = {{"frequency_penalty", params_.frequency_penalty},
                                                      {"presence_penalty", params_.presence_penalty}};
    for (const auto& [name, value] : additive)
        if (!(value >= -2.0f && value <= 2.0f))  // NaN fails both comparisons
            throw Error(std::string("sampler: ") + name + " must be a number from -2 to 2 (0 disables it), got " +
                        std::to_string(value));
    if (params_.repeat_last_n > 0) history_.reserve(static_cast<size_t>(params_.repeat_last_n));
}

void Sampler::accept(int32_t token) {
    if (params_.repeat_last_n <= 0) return;
    const size_t cap = static_cast<size_t>(params_.repeat_last_n);
    if (history_.size() < cap) {
        history_.push_back(token);
    } else {
        history_[history_next_] = token;
        history_next_ = (history_next_ + 1) % cap;
    }
}

int32_t Sampler::max_kept(int32_t n_vocab) const {
    if (params_.temperature <= 0.0f) return 1;  // argmax
    // sample_stochastic: select_top_k(top_k) is the first selection when top_k < n_vocab.
    if (params_.top_k > 0 && params_.top_k < n_vocab) return params_.top_k;
    return 0;
}

const std::vector<int32_t>& Sampler::penalised_ids() const {
    static const std::vector<int32_t> none;
    // apply_penalty's own conditions.
    if (history_.empty() || !penalty().active()) return none;
    return history_;
}

LogitPenalty Sampler::penalty() const {
    return LogitPenalty{params_.repeat_penalty, params_.frequency_penalty, params_.presence_penalty};
}

void Sampler::reset() {
    history_.clear();
    history_next_ = 0;
    seed_ = params_.seed != 0 ? params_.seed : random_seed();
    rng_ = Xoshiro256(seed_);
}

// Each distinct id of the window once, with its number of occurrences (LogitPenalty::apply).
void Sampler::apply_penalty(int32_t n_vocab) {
    const LogitPenalty pen = penalty();
    if (history_.empty() || !pen.active()) return;
    seen_.assign(history_.begin(), history_.end());
    std::sort(seen_.begin(), seen_.end());
    for (size_t i = 0; i < seen_.size();) {
        const int32_t id = seen_[i];
        size_t end = i + 1;
        while (end < seen_.size() && seen_[end] == id) ++end;
        const int32_t count = static_cast<int32_t>(end - i);
        i = end;
        if (id < 0 || id >= n_vocab) continue;  // history from another vocabulary: ignore
        float& l = work_[static_cast<size_t>(id)];
        l = pen.apply(l, count);
    }
}

int32_t Sampler::sample(const float* logits, int32_t n_vocab) {
    if (logits == nullptr) throw Error("sampler: logits pointer is null");
    if (n_vocab <= 0) throw Error("sampler: n_vocab must be positive, got " + std::to_string(n_vocab));

    const size_t n = static_cast<size_t>(n_vocab);
    work_.resize(n);
    float* w = work_.data();
    for (size_t i = 0; i < n; ++i) w[i] = sanitize(logits[i]);
    apply_penalty(n_vocab);

    if (params_.temperature <= 0.0f) {
        // Strict '>' keeps the lowest id on ties; all -inf leaves best = 0.
        size_t best = 0;
        for (size_t i = 1; i < n; ++i)
            if (work_[i] > work_[best]) best = i;
        return static_cast<int32_t>(best);
    }
    return sample_stochastic(n_vocab);
}

namespace {

// A total order (logit desc, then id asc), so selection and sorting pick the same set in the same
// order with every standard library, which cross-platform determinism needs. A template because
// the candidate type is private to Sampler.
template <class C>
bool better(const C& a, const C& b) {
    return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
}

}  // namespace

// Leaves the k best candidates in cands_, best first.
void Sampler::select_top_k(size_t k) {
    const size_t n = work_.size();
    cands_.clear();
    if (k * 16 <= n) {
        // Small k (the common 40 of 128k): one pass with a k-entry heap whose top is the worst
        // kept candidate. Almost every token loses the single comparison with it, so this is
        // much cheaper than gathering all 128k candidates for nth_element.
        auto worst_on_top = [](const Cand& a, const Cand& b) { return better(a, b); };
        size_t i = 0;
        for (; i < n && cands_.size() < k; ++i) {
            if (work_[i] == -INFINITY) continue;
            cands_.push_back({work_[i], static_cast<int32_t>(i)});
            std::push_heap(cands_.begin(), cands_.end(), worst_on_top);
        }
        // Ids only grow, so a later token with the same logit as the worst kept one loses the
        // tie: a single float compare rejects it (and -inf, since the floor is above it).
        float floor = cands_.empty() ? INFINITY : cands_.front().logit;
        for (; i < n; ++i) {
            if (work_[i] <= floor) continue;
            std::pop_heap(cands_.begin(), cands_.end(), worst_on_top);
            cands_.back() = {work_[i], static_cast<int32_t>(i)};
            std::push_heap(cands_.begin(), cands_.end(), worst_on_top);
            floor = cands_.front().logit;
        }
    } else {
        for (size_t i = 0; i < n; ++i)
            if (work_[i] > -INFINITY) cands_.push_back({work_[i], static_cast<int32_t>(i)});
        if (k < cands_.size()) {
            std::nth_element(cands_.begin(), cands_.begin() + static_cast<std::ptrdiff_t>(k),
                             cands_.end(), better<Cand>);
            cands_.resize(k);
        }
    }
    std::sort(cands_.begin(), cands_.end(), better<Cand>);
}

// Number of best candidates whose weight reaches top_p of the total; the token that crosses
// the line stays. Without top-k the 128k candidates are unsorted, and a full sort costs ~20 ms
// per token, so we sort a growing prefix (nth_element then sort) until it holds enough mass;
// real distributions are peaked, so that is usually a few hundred entries.
size_t Sampler::top_p_prefix(float l_max, double total, bool sorted) {
    const double target = static_cast<double>(params_.top_p) * total;
    const double temp = params_.temperature;
    const size_t n = cands_.size();
    double cum = 0.0;
    size_t done = 0;
    size_t end = sorted ? n : std::min<size_t>(n, 64);
    while (done < n) {
        if (!sorted) {
            const auto first = cands_.begin() + static_cast<std::ptrdiff_t>(done);
            const auto mid = cands_.begin() + static_cast<std::ptrdiff_t>(end);
            if (end < n) std::nth_element(first, mid, cands_.end(), better<Cand>);
            std::sort(first, mid, better<Cand>);
        }
        for (size_t j = done; j < end; ++j) {
            cum += std::exp((static_cast<double>(cands_[j].logit) - l_max) / temp);
            if (cum >= target) return j + 1;
        }
        done = end;
        end = std::min(n, end * 4);
    }
    return n;  // rounding kept cum just below target: keep everything
}

int32_t Sampler::sample_stochastic(int32_t n_vocab) {
    const size_t n = static_cast<size_t>(n_vocab);
    const bool use_top_k = params_.top_k > 0 && static_cast<size_t>(params_.top_k) < n;
    const bool use_top_p = params_.top_p < 1.0f;
    if (use_top_k) {
        select_top_k(static_cast<size_t>(params_.top_k));
    } else {
        cands_.clear();
        for (size_t i = 0; i < n; ++i)
            if (work_[i] > -INFINITY) cands_.push_back({work_[i], static_cast<int32_t>(i)});
    }
    if (cands_.empty()) return 0;  // every logit was -inf/NaN: see header
    const bool sorted = use_top_k;

    float l_max = cands_[0].logit;
    if (!sorted)
        for (const Cand& c : cands_) l_max = std::max(l_max, c.logit);

    // Weights exp((l - l_max) / T) in double: the difference of two finite floats cannot
    // overflow there, and a huge or tiny temperature only pushes weights to 0 or 1, never NaN.
    const double temp = params_.temperature;
    auto weight = [&](float l) { return std::exp((static_cast<double>(l) - l_max) / temp); };

    if (use_top_p) {
        double total = 0.0;
        for (const Cand& c : cands_) total += weight(c.logit);
        cands_.resize(top_p_prefix(l_max, total, sorted));
    }

    probs_.resize(cands_.size());
    for (size_t j = 0; j < cands_.size(); ++j) probs_[j] = weight(cands_[j].logit);

    if (params_.min_p > 0.0f) {
        // The max entry has weight exp(0) = 1, so "p >= min_p * p_max" is "weight >= min_p";
        // capping the threshold at 1 keeps the best token even for min_p > 1.
        const double threshold = std::min(static_cast<double>(params_.min_p), 1.0);
        size_t out = 0;
        for (size_t j = 0; j < cands_.size(); ++j) {
            if (probs_[j] >= threshold) {
                cands_[out] = cands_[j];
                probs_[out] = probs_[j];
                ++out;
            }
        }
        cands_.resize(out);
        probs_.resize(out);
    }

    double sum = 0.0;
    for (double p : probs_) sum += p;
    const double target = rng_.uniform() * sum;
    double cum = 0.0;
    for (size_t j = 0; j < cands_.size(); ++j) {
        cum += probs_[j];
        if (target < cum) return cands_[j].id;
    }
    return cands_.back().id;  // rounding left target == sum: the last bucket owns the edge
}

}  // namespace tern
