#include "engine/chat/session_pool.h"

#include <algorithm>

namespace tern {
namespace {

size_t common_prefix(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
    const size_t n = std::min(a.size(), b.size());
    size_t i = 0;
    while (i < n && a[i] == b[i]) ++i;
    return i;
}

// Cutting a cache back loses its tail. Up to this many tokens (or an eighth of what is kept) are
// not worth a second cache: that is a regenerated reply or a boundary the tokenizer split
// differently when the client sent the reply back. More is another conversation's own history.
bool cheap_to_cut(size_t kept, size_t lost) { return lost <= std::max<size_t>(16, kept / 8); }

}  // namespace

SessionPool::SessionPool(const Model& model, int32_t n_ctx, uint64_t budget_bytes, KvType kv_type)
    : model_(model),
      n_ctx_(default_context(model, n_ctx)),
      budget_bytes_(budget_bytes),
      kv_type_(kv_type),
      bytes_per_token_(KvCache::bytes_per_position(model.config().n_layer, model.config().n_head_kv,
                                                   model.config().head_dim, kv_type)) {}

SessionPool::~SessionPool() = default;

SessionPool::Entry& SessionPool::add_session() {
    SessionOptions options;
    options.n_ctx = n_ctx_;
    options.kv_type = kv_type_;
    entries_.push_back({std::make_unique<Session>(model_, options)});
    return entries_.back();
}

Session& SessionPool::acquire(const std::vector<int32_t>& prompt) {
    Entry* best = nullptr;       // longest shared prefix
    Entry* extendable = nullptr; // longest cache that is wholly a prefix of the prompt
    size_t best_common = 0, extendable_len = 0;
    for (Entry& e : entries_) {
        const std::vector<int32_t>& cached = e.session->tokens();
        const size_t common = common_prefix(cached, prompt);
        if (common == cached.size() && (!extendable || common > extendable_len)) {
            extendable = &e;
            extendable_len = common;
        }
        if (!best || common > best_common) {
            best = &e;
            best_common = common;
        }
    }
    Entry* chosen = nullptr;
    if (extendable && (extendable_len > 0 || best_common == 0)) {
        chosen = extendable;
    } else if (best && best_common > 0 &&
               (cheap_to_cut(best_common, best->session->tokens().size() - best_common) ||
                entries_.size() >= kMaxSessions)) {
        chosen = best;  // Session::prefill cuts it back to the shared prefix
    } else {
        // A new cache, seeded with the shared prefix of another conversation's (a common system
        // prompt, say) so that it is copied rather than computed again. push_back may move the
        // entries: remember the source by its session.
        Session* source = best && best_common > 0 ? best->session.get() : nullptr;
        Entry& fresh = add_session();
        if (source) fresh.session->copy_prefix_from(*source, best_common);
        chosen = &fresh;
    }
    chosen->last_use = ++use_counter_;
    Session& session = *chosen->session;
    evict(&session);
    return session;
}

void SessionPool::release(Session& session) {
    for (Entry& e : entries_)
        if (e.session.get() == &session) e.high_water = std::max(e.high_water, session.tokens().size());
    evict(&session);
}

uint64_t SessionPool::touched_bytes() const {
    uint64_t total = 0;
    for (const Entry& e : entries_) total += std::max(e.high_water, e.session->tokens().size()) * bytes_per_token_;
    return total;
}

void SessionPool::evict(const Session* keep) {
    while (entries_.size() > 1 && (touched_bytes() > budget_bytes_ || entries_.size() > kMaxSessions)) {
        auto oldest = entries_.end();
        for (auto it = entries_.begin(); it != entries_.end(); ++it)
            if (it->session.get() != keep && (oldest == entries_.end() || it->last_use < oldest->last_use)) oldest = it;
        if (oldest == entries_.end()) return;
        entries_.erase(oldest);
    }
}

void SessionPool::clear() { entries_.clear(); }

}  // namespace tern
