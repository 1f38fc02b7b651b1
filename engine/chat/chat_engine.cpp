#include "engine/chat/chat_engine.h"

#include "engine/chat/chat_prompt.h"
#include "engine/model/model.h"
#include "engine/tokenizer/tokenizer.h"

#include <algorithm>
#include <chrono>

namespace tern {

double ChatUsage::prefill_tokens_per_second() const {
    return prefill_seconds > 0 ? (prompt_tokens - reused_tokens) / prefill_seconds : 0;
}

double ChatUsage::decode_tokens_per_second() const {
    return decode_seconds > 0 ? decoded_tokens / decode_seconds : 0;
}

ChatEngine::ChatEngine(const Model& model, ChatEngineOptions options)
    : model_(model), pool_(model, options.n_ctx, options.cache_budget_bytes, options.kv_type) {}

ChatFormat ChatEngine::format(const ChatSettings& settings) const {
    return settings.format.value_or(model_.chat_format());
}

int32_t ChatEngine::reply_reserve(int32_t n_ctx, int max_tokens) {
    const int32_t half = n_ctx / 2;
    const int32_t wanted = max_tokens > 0 ? max_tokens : n_ctx / 4;
    return std::min(std::max(wanted, std::min<int32_t>(64, half)), half);
}

ChatResult ChatEngine::chat(const std::vector<ChatMessage>& messages, const ChatSettings& settings,
                            const CancelToken& cancel, const ChatEvents& events) {
    if (messages.empty()) throw Error("the conversation has no messages");
    const ChatFormat chat_format = format(settings);
    const int32_t n_ctx = context_size();
    const ChatPrompt prompt =
        build_chat_prompt(model_.tokenizer(), chat_format, messages, n_ctx, reply_reserve(n_ctx, settings.max_tokens),
                          settings.context_policy == ContextPolicy::DropOldest);
    std::vector<std::string> stop = chat_stop_strings(chat_format);
    stop.insert(stop.end(), settings.stop.begin(), settings.stop.end());
    const int32_t keep = settings.context_policy == ContextPolicy::DropOldest
                             ? system_prefix_tokens(chat_format, messages)
                             : -1;
    ChatResult result = run(prompt.tokens, settings, std::move(stop), keep, cancel, events);
    result.usage.dropped_messages = prompt.dropped_messages;
    return result;
}

ChatResult ChatEngine::complete(const std::string& prompt, const ChatSettings& settings, const CancelToken& cancel,
                                const ChatEvents& events) {
    // A plain continuation stops at a full context (tern-cli -n 0 documents "until the context is full").
    return run(build_completion_prompt(model_.tokenizer(), prompt), settings, settings.stop, -1, cancel, events);
}

int32_t ChatEngine::system_prefix_tokens(ChatFormat format, const std::vector<ChatMessage>& messages) const {
    const Tokenizer& tok = model_.tokenizer();
    if (messages.empty() || messages.front().role != "system") return tok.add_bos() ? 1 : 0;
    const RenderedChat system = render_chat_marked(format, {messages.front()}, false);
    return (int32_t)tok.encode_marked(system.text, tok.add_bos(), system.user_text).size();
}

ChatResult ChatEngine::run(const std::vector<int32_t>& prompt, const ChatSettings& settings,
                           std::vector<std::string> stop, int32_t context_shift_keep, const CancelToken& cancel,
                           const ChatEvents& events) {
    Session& session = pool_.acquire(prompt);
    ChatResult result;
    ChatUsage& usage = result.usage;
    usage.prompt_tokens = (int)prompt.size();
    usage.context_size = session.n_ctx();

    GenerateParams params;
    params.max_tokens = settings.max_tokens;
    params.sampling = settings.sampling;
    params.stop_strings = std::move(stop);
    params.cancel = cancel;
    params.context_shift_keep = context_shift_keep;
    try {
        const auto t0 = std::chrono::steady_clock::now();
        usage.reused_tokens = session.prefill(prompt, cancel, &params.sampling);  // screened for this sampler
        usage.prefill_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (cancel.cancelled()) {
            result.stop = StopReason::Cancelled;
        } else {
            usage.context_used = (int)session.tokens().size();
            if (events.on_prompt_done) events.on_prompt_done(usage);
            GenerateResult r = session.decode(params, events.on_text);
            result.text = std::move(r.text);
            result.stop = r.reason;
            usage.generated_tokens = (int)r.tokens.size();
            usage.decoded_tokens = r.n_decoded;
            usage.decode_seconds = r.decode_seconds;
            usage.context_shifts = r.n_context_shifts;
        }
    } catch (...) {
        pool_.release(session);
        throw;
    }
    usage.context_used = (int)session.tokens().size();
    pool_.release(session);
    return result;
}

}  // namespace tern
