#pragma once
// KV caches kept across requests AND across conversations, found by token prefix rather than by
// conversation id. A chat front end (the app, an API client) sends the whole conversation every
// turn; the pool hands out the cache that already holds the longest part of it, so a follow-up,
// or switching back to another chat, only prefills what is new.
//
// Policy, for a prompt P:
//  - a cache whose tokens are all a prefix of P is used as it is (nothing cached is lost);
//  - otherwise the cache sharing the longest prefix with P is either cut back to that prefix
//    (when little would be lost: a regenerated reply, a re-tokenised boundary), or its shared
//    prefix is copied into a fresh cache so that the other conversation keeps its own;
//  - least recently used caches are dropped while the pool is over its memory budget or over
//    kMaxSessions. The cache in use is never dropped.
// Not thread-safe: one thread (the inference thread) uses a pool.
#include "engine/chat/session.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace tern {

class SessionPool {
public:
    static constexpr size_t kMaxSessions = 16;

    // n_ctx: context of every session (0: the default, see default_context()); budget_bytes: KV
    // memory the pool may keep touched across all its sessions; kv_type: every session's cache
    // element type (F16 keeps twice the tokens in the same budget, see SessionOptions).
    SessionPool(const Model& model, int32_t n_ctx, uint64_t budget_bytes, KvType kv_type = KvType::F32);
    ~SessionPool();

    // The session to evaluate `prompt` in, its cache prepared as described above. Valid until the
    // next acquire() or clear().
    Session& acquire(const std::vector<int32_t>& prompt);
    // After a request: records how much of the session's cache was touched, then evicts over the budget.
    void release(Session& session);
    void clear();

    int32_t n_ctx() const { return n_ctx_; }
    KvType kv_type() const { return kv_type_; }
    size_t size() const { return entries_.size(); }
    uint64_t kv_bytes_per_token() const { return bytes_per_token_; }
    uint64_t touched_bytes() const;  // KV memory the pool's caches have touched

private:
    struct Entry {
        std::unique_ptr<Session> session;
        uint64_t last_use = 0;
        size_t high_water = 0;  // most tokens ever cached: the pages touched so far
    };
    Entry& add_session();
    void evict(const Session* keep);

    const Model& model_;
    int32_t n_ctx_;
    uint64_t budget_bytes_;
    KvType kv_type_;
    uint64_t bytes_per_token_;
    uint64_t use_counter_ = 0;
    std::vector<Entry> entries_;
};

}  // namespace tern
