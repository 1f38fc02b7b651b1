// The forward pass shared by every architecture. Architecture differences (sub-norms, FFN
// activation, RoPE pairing, tied output) come from ArchSpec; weight types are hidden behind
// Linear. Maths follows bitnet-formats.md §1.2 for BitNet b1.58.
#include "engine/error.h"
#include "engine/model/kv_cache.h"
#include "engine/model/model.h"
#include "engine/model/parallel_ops.h"
#include "engine/model/thread_pool.h"
#include "kernels/dispatch.h"
#include "kernels/float_dot.h"
#include "kernels/float_ops.h"

#include <algorithm>
#include <functional>
#include <cmath>
#include <string>

namespace tern {

void ForwardScratch::reserve(const ModelConfig& c, int n_tokens) {
    if (n_tokens <= capacity) return;
    capacity = n_tokens;
    const size_t n = (size_t)n_tokens;
    x.resize(n * c.n_embd);
    xn.resize(n * std::max(c.n_embd, c.q_dim()));
    q.resize(n * c.q_dim());
    k.resize(n * c.kv_dim());
    v.resize(n * c.kv_dim());
    att.resize(n * c.q_dim());
    gate.resize(n * c.n_ff);
    up.resize(n * c.n_ff);
    ffn.resize(n * c.n_ff);
}

void Model::forward(const int32_t* tokens, int n, int32_t pos0, KvCache& kv, ForwardScratch& scratch,
                    LogitsFor which, float* logits, const ScreenRequest* screen, ScreenOutcome* outcome) const {
    if (outcome) *outcome = ScreenOutcome{};
    if (n <= 0) return;
    if (pos0 < 0 || (int64_t)pos0 + n > kv.n_ctx())
        throw Error("context full: " + std::to_string(pos0 + n) + " tokens do not fit in a context of " +
                    std::to_string(kv.n_ctx()));
    for (int i = 0; i < n; ++i)
        if (tokens[i] < 0 || tokens[i] >= config_.n_vocab)
            throw Error("token id " + std::to_string(tokens[i]) + " is outside the vocabulary (0.." +
                        std::to_string(config_.n_vocab - 1) + ")");
    std::lock_guard<std::mutex> lock(forward_mutex_);
    for (int done = 0; done < n;) {
        const int count = std::min(kMaxBatch, n - done);
        const bool last_chunk = done + count == n;
        LogitsFor chunk_which = which == LogitsFor::All ? LogitsFor::All
                              : (which == LogitsFor::Last && last_chunk ? LogitsFor::Last : LogitsFor::None);
        float* chunk_logits = which == LogitsFor::All ? logits + (size_t)done * config_.n_vocab : logits;
        forward_batch(tokens + done, count, pos0 + done, kv, scratch, chunk_which, chunk_logits,
                      chunk_which == LogitsFor::Last ? screen : nullptr, outcome);
        done += count;
    }
}

void Model::forward_batch(const int32_t* tokens, int n, int32_t pos0, KvCache& kv, ForwardScratch& s,
                          LogitsFor which, float* logits, const ScreenRequest* screen, ScreenOutcome* outcome) const {
    const ModelConfig& c = config_;
    ThreadPool& pool = pool_for(n);
    s.reserve(c, n);
    const int64_t E = c.n_embd, Q = c.q_dim(), KV = c.kv_dim(), F = c.n_ff;
    float* x = s.x.data();
    float* xn = s.xn.data();

    for (int t = 0; t < n; ++t) embd_->dequantize_row(tokens[t], x + t * E);

    for (int il = 0; il < c.n_layer; ++il) {
        const Layer& L = layers_[il];
        // Attention block.
        rmsnorm_rows(pool, x, L.attn_norm.data(), xn, n, E, c.rms_eps);
        L.wq->forward(xn, s.q.data(), n, pool);
        L.wk->forward(xn, s.k.data(), n, pool);
        L.wv->forward(xn, s.v.data(), n, pool);
        pool.parallel_for(n, [&](int64_t t0, int64_t t1) {
            for (int64_t t = t0; t < t1; ++t) {
                const int pos = pos0 + (int)t;
                for (int h = 0; h < c.n_head; ++h) rope(s.q.data() + t * Q + h * c.head_dim, pos);
                for (int h = 0; h < c.n_head_kv; ++h) rope(s.k.data() + t * KV + h * c.head_dim, pos);
                kv.store(il, pos, s.k.data() + t * KV, s.v.data() + t * KV);
            }
        });
        attention(il, n, pos0, kv, s, pool);
        if (!L.attn_sub_norm.empty()) rmsnorm_rows(pool, s.att.data(), L.attn_sub_norm.data(), s.att.data(), n, Q, c.rms_eps);
        L.wo->forward(s.att.data(), xn, n, pool);
        add_inplace(pool, x, xn, n * E);

        // Feed-forward block.
        rmsnorm_rows(pool, x, L.ffn_norm.data(), xn, n, E, c.rms_eps);
        L.gate->forward(xn, s.gate.data(), n, pool);
        L.up->forward(xn, s.up.data(), n, pool);
        if (activation_ == FfnActivation::Relu2) relu2_mul(pool, s.gate.data(), s.up.data(), s.ffn.data(), n * F);
        else silu_mul(pool, s.gate.data(), s.up.data(), s.ffn.data(), n * F);
        if (!L.ffn_sub_norm.empty()) rmsnorm_rows(pool, s.ffn.data(), L.ffn_sub_norm.data(), s.ffn.data(), n, F, c.rms_eps);
        L.down->forward(s.ffn.data(), xn, n, pool);
        add_inplace(pool, x, xn, n * E);
    }

    if (which == LogitsFor::None) return;
    const int first = which == LogitsFor::Last ? n - 1 : 0;
    const int count = n - first;
    for (int t = 0; t < count; ++t)
        kernels::rmsnorm(x + (first + t) * E, output_norm_.data(), xn + t * E, E, c.rms_eps);
    if (screen && count == 1 && output_matrix().can_screen()) {
        int32_t candidates = 0;
        const ScreenOutcome::Kind kind = screen_logits(xn, *screen, s, logits, &candidates);
        if (outcome) *outcome = ScreenOutcome{kind, candidates};
        if (kind == ScreenOutcome::Kind::Screened) return;
    }
    output_matrix().forward(xn, logits, count, pool);
}

// The screened output layer of one token; the proof is at ScreenRequest (model.h). Returns
// Screened when `logits` holds the candidates' exact logits and -inf elsewhere; anything else
// leaves the caller to compute the full pass.
ScreenOutcome::Kind Model::screen_logits(const float* x, const ScreenRequest& req, ForwardScratch& s, float* logits,
                                         int32_t* candidates) const {
    using Kind = ScreenOutcome::Kind;
    const Linear& out = output_matrix();
    const int64_t V = config_.n_vocab;
    const int64_t n = req.n_rows > 0 ? std::min<int64_t>(req.n_rows, V) : V;
    const int64_t K = req.keep;
    if (K <= 0 || K >= n) return Kind::Full;  // the sampler looks at every logit
    s.screen_lo.resize(V);
    s.screen_hi.resize(V);
    float* lo = s.screen_lo.data();
    float* hi = s.screen_hi.data();
    if (!out.screen(x, ScreenBounds{lo, hi}, pool_for(1))) return Kind::Unbounded;

    // The penalties, exactly as Sampler::apply_penalty computes them (once per distinct id, with
    // its number of occurrences), on both ends of each bracket.
    const LogitPenalty& penalty = req.penalty;
    std::vector<int32_t>& pen = s.screen_penalised;  // sorted ids, one entry per occurrence
    pen.clear();
    if (penalty.active() && penalty.repeat > 0.0f)
        for (int32_t i = 0; i < req.n_penalised; ++i)
            if (req.penalised[i] >= 0 && req.penalised[i] < n) pen.push_back(req.penalised[i]);
    std::sort(pen.begin(), pen.end());
    auto count_of = [&pen](int32_t id) {
        const auto range = std::equal_range(pen.begin(), pen.end(), id);
        return (int32_t)(range.second - range.first);
    };
    for (size_t i = 0; i < pen.size();) {
        const int32_t id = pen[i], count = count_of(id);
        lo[id] = penalty.apply(lo[id], count);
        hi[id] = penalty.apply(hi[id], count);
        i += (size_t)count;
    }

    // T: the K-th largest lower bound over rows [0, n), from a K-entry min-heap.
    std::vector<float>& heap = s.screen_heap;
    heap.assign(lo, lo + K);
    std::make_heap(heap.begin(), heap.end(), std::greater<float>());
    for (int64_t r = K; r < n; ++r) {
        if (lo[r] <= heap.front()) continue;
        std::pop_heap(heap.begin(), heap.end(), std::greater<float>());
        heap.back() = lo[r];
        std::push_heap(heap.begin(), heap.end(), std::greater<float>());
    }
    const float T = heap.front();

    // Candidates: every row whose upper bound reaches T (ties included).
    std::vector<int32_t>& rows = s.screen_rows;
    rows.clear();
    for (int64_t r = 0; r < n; ++r)
        if (hi[r] >= T) rows.push_back((int32_t)r);
    *candidates = (int32_t)rows.size();
    if ((int64_t)rows.size() > req.max_candidates) return Kind::TooMany;

    out.forward_rows(x, rows.data(), (int64_t)rows.size(), logits, pool_for(1));
    // Defensive: an exact logit outside its bracket would void the argument; never trust it.
    for (int32_t r : rows) {
        const float y = logits[r];
        const int32_t count = pen.empty() ? 0 : count_of(r);
        const float yp = count > 0 ? penalty.apply(y, count) : y;
        if (!std::isfinite(y) || !(yp >= lo[r] && yp <= hi[r])) return Kind::Violation;
    }
    // Every other row can never be kept: -inf (rows recomputed as group neighbours included).
    size_t next = 0;
    for (int64_t r = 0; r < V; ++r) {
        if (next < rows.size() && rows[next] == r) { ++next; continue; }
        logits[r] = -INFINITY;
    }
    return Kind::Screened;
}

void Model::rope(float* head, int32_t pos) const {
    if (arch_->rope == RopeStyle::Neox)
        kernels::rope_neox(head, config_.head_dim, config_.n_rot, pos, config_.rope_base);
    else
        kernels::rope_adjacent(head, config_.head_dim, config_.n_rot, pos, config_.rope_base);
}

// Causal grouped-query attention of the n new tokens over every cached position up to their own.
void Model::attention(int il, int n, int32_t pos0, KvCache& kv, ForwardScratch& s, ThreadPool& pool) const {
    const ModelConfig& c = config_;
    const int hd = c.head_dim;
    const int group = c.n_head / c.n_head_kv;  // query heads sharing one key/value head
    const float inv_sqrt = 1.0f / std::sqrt((float)hd);
    // A work unit is one token's query heads of one key/value head, which then read each cached
    // key and value once for the whole group. Units are ordered by key/value head first, so that
    // head's cache is reused from L2 by every token of the chunk. A decode step (one token) may
    // have fewer groups than threads: there the groups are split in halves until every thread
    // has a unit. (2B4T at 2 threads: 5 units of 4 heads measured as fast as 10 of 2, and ~30 %
    // faster after 2048 tokens of context than one head per unit, which reads each key 4 times.)
    int per_unit = group;
    while (n * (c.n_head / per_unit) < pool.size() && per_unit % 2 == 0) per_unit /= 2;
    const int64_t n_sets = c.n_head / per_unit;  // head sets, each inside one key/value head
    const int64_t s_stride = pos0 + n;
    const bool f16 = kv.type() == KvType::F16;
    pool.parallel_for(n * n_sets, [&](int64_t u0, int64_t u1) {
        std::vector<float> scores((size_t)per_unit * s_stride);
        const kernels::KernelTable& kt = kernels::active_kernels();
        for (int64_t u = u0; u < u1; ++u) {
            const int h0 = (int)(u / n) * per_unit, t = (int)(u % n);
            const int kvh = h0 / group;
            const int n_pos = pos0 + t + 1;
            const float* q = s.q.data() + (size_t)t * c.q_dim() + h0 * hd;
            // Inner loops in kernels/attention.h: this head's keys and values, head_dim elements
            // apart, floats or halves by the cache's type (same arithmetic once widened).
            float* out = s.att.data() + (size_t)t * c.q_dim() + h0 * hd;
            if (f16) {
                kt.attn_scores_group_f16(q, hd, per_unit, kv.k16(il, kvh), hd, n_pos, hd, inv_sqrt,
                                         scores.data(), s_stride);
                for (int j = 0; j < per_unit; ++j) kt.softmax(scores.data() + j * s_stride, n_pos);
                kt.attn_values_group_f16(scores.data(), s_stride, per_unit, kv.v16(il, kvh), hd, n_pos, hd,
                                         out, hd);
            } else {
                kt.attn_scores_group(q, hd, per_unit, kv.k(il, kvh), hd, n_pos, hd, inv_sqrt,
                                     scores.data(), s_stride);
                for (int j = 0; j < per_unit; ++j) kt.softmax(scores.data() + j * s_stride, n_pos);
                kt.attn_values_group(scores.data(), s_stride, per_unit, kv.v(il, kvh), hd, n_pos, hd,
                                     out, hd);
            }
        }
    });
}

}  // namespace tern
