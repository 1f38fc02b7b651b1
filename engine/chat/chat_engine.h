#pragma once
// The rules of a chat turn, in one place for every front end: the desktop app's worker thread,
// `tern-cli --chat` and `-p`, and the local API server all call this and behave the same.
//
// A request is the whole conversation (system, user and assistant messages) plus settings. The
// engine renders it with the model's chat template (or the one the settings name), keeps room for
// the reply, drops the oldest whole exchanges when the conversation outgrows the context, stops
// at the template's end-of-turn markers and the caller's stop strings, and streams the reply.
// KV caches are kept in a pool keyed by token prefix (session_pool.h), so a follow-up turn, a
// client that resends the whole conversation, or switching between two chats only prefills the
// tokens that are new.
//
// One thread calls a ChatEngine at a time; CancelToken::cancel() may come from any thread.
#include "engine/chat/cancel_token.h"
#include "engine/chat/chat_template.h"
#include "engine/chat/sampler.h"
#include "engine/chat/session.h"
#include "engine/chat/session_pool.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern {

class Model;

// What to do when the conversation does not fit in the context.
enum class ContextPolicy {
    // Leave out the oldest whole exchanges (never the system prompt or the last message); when
    // the reply itself fills the context, forget the oldest half of what follows the system
    // prompt and go on, so a reply always ends on its own terms.
    DropOldest,
    Fail,  // throw ContextFullError; a reply that fills the context stops with ContextFull
};

struct ChatSettings {
    SamplerParams sampling;
    int max_tokens = 0;                     // <= 0: until the model ends its turn or the context is full
    std::vector<std::string> stop;          // extra stop strings, besides the chat template's own
    std::optional<ChatFormat> format;       // nullopt: the model's own chat template
    ContextPolicy context_policy = ContextPolicy::DropOldest;
};

struct ChatUsage {
    int prompt_tokens = 0;     // tokens of the rendered conversation
    int reused_tokens = 0;     // of which were found in a cache and not processed again
    int generated_tokens = 0;  // sampled tokens, including a final end-of-turn token
    int dropped_messages = 0;  // oldest messages left out so the conversation fits
    int context_used = 0;      // tokens in the cache after the reply
    int context_size = 0;
    double prefill_seconds = 0;
    double decode_seconds = 0;
    int decoded_tokens = 0;    // tokens evaluated while decoding (for tokens per second)
    int context_shifts = 0;    // times the reply filled the context and the oldest half was forgotten

    double prefill_tokens_per_second() const;
    double decode_tokens_per_second() const;
};

struct ChatResult {
    std::string text;  // the reply as shown: no stop string, no special tokens
    StopReason stop = StopReason::EndOfGeneration;
    ChatUsage usage;
};

// Streamed events. Every callback is optional and is called on the calling thread.
struct ChatEvents {
    std::function<void(std::string_view)> on_text;        // reply text: never half a UTF-8 character or part of a stop string
    std::function<void(const ChatUsage&)> on_prompt_done;  // the prompt is in the cache; decoding starts
};

struct ChatEngineOptions {
    int32_t n_ctx = 0;                        // 0: default_context(model)
    uint64_t cache_budget_bytes = 1ull << 30; // KV memory kept for earlier requests and other conversations
    // The KV caches' element type. F32 (the default) gives Tern's reference logits; F16 halves
    // the cache's memory and attention's reads (2B4T: 75 instead of 150 KiB per token), at the
    // cost of rounding keys and values to half precision (SessionOptions::kv_type).
    KvType kv_type = KvType::F32;
};

class ChatEngine {
public:
    explicit ChatEngine(const Model& model, ChatEngineOptions options = {});

    const Model& model() const { return model_; }
    int32_t context_size() const { return pool_.n_ctx(); }
    KvType kv_type() const { return pool_.kv_type(); }
    ChatFormat format(const ChatSettings& settings) const;

    // Tokens kept free for the reply when fitting a conversation in the context: max_tokens (or a
    // quarter of the context without a limit), at least 64, never more than half the context.
    static int32_t reply_reserve(int32_t n_ctx, int max_tokens);

    // One assistant turn for `messages` (the last one is normally the user's new message).
    // Throws ContextFullError when the conversation cannot be fitted under the policy.
    ChatResult chat(const std::vector<ChatMessage>& messages, const ChatSettings& settings,
                    const CancelToken& cancel = {}, const ChatEvents& events = {});

    // Plain text continuation (no chat template): BOS when the model wants one, then `prompt`.
    // An empty prompt is allowed only where there is a BOS to start from.
    ChatResult complete(const std::string& prompt, const ChatSettings& settings, const CancelToken& cancel = {},
                        const ChatEvents& events = {});

    // Drops every cached KV cache (e.g. to give memory back after an allocation failure).
    void clear_cache() { pool_.clear(); }
    size_t cached_sessions() const { return pool_.size(); }

private:
    // context_shift_keep: see GenerateParams (< 0: no shifting).
    ChatResult run(const std::vector<int32_t>& prompt, const ChatSettings& settings, std::vector<std::string> stop,
                   int32_t context_shift_keep, const CancelToken& cancel, const ChatEvents& events);
    // Tokens a context shift must keep: BOS and the system prompt.
    int32_t system_prefix_tokens(ChatFormat format, const std::vector<ChatMessage>& messages) const;

    const Model& model_;
    SessionPool pool_;
};

}  // namespace tern
