#include "engine/chat/chat_prompt.h"

#include "engine/error.h"
#include "engine/chat/session.h"
#include "engine/tokenizer/tokenizer.h"

#include <algorithm>

namespace tern {

ChatPrompt build_chat_prompt(const Tokenizer& tokenizer, ChatFormat format, std::vector<ChatMessage> messages,
                             int32_t n_ctx, int32_t reserve, bool drop_oldest) {
    ChatPrompt out;
    const int64_t budget = (int64_t)n_ctx - std::max<int32_t>(reserve, 1);
    for (;;) {
        const RenderedChat rendered = render_chat_marked(format, messages, true);
        out.tokens = tokenizer.encode_marked(rendered.text, tokenizer.add_bos(), rendered.user_text);
        if ((int64_t)out.tokens.size() <= budget) return out;
        // The first message after an optional system prompt is the oldest droppable one; the last
        // message (the user's new turn) is never dropped.
        const size_t first = (!messages.empty() && messages[0].role == "system") ? 1 : 0;
        if (!drop_oldest || messages.size() <= first + 1)
            throw ContextFullError("the conversation needs " + std::to_string(out.tokens.size()) +
                                   " tokens but the context leaves room for " + std::to_string(std::max<int64_t>(budget, 0)) +
                                   (drop_oldest ? "; shorten the message or the system prompt"
                                                : "; start a new conversation or allow dropping old turns"));
        // Drop a whole exchange (user message and the reply to it) so roles stay alternating.
        size_t n = 1;
        if (messages.size() > first + 2 && messages[first].role == "user" && messages[first + 1].role == "assistant") n = 2;
        messages.erase(messages.begin() + first, messages.begin() + first + n);
        out.dropped_messages += (int)n;
    }
}

std::vector<int32_t> build_completion_prompt(const Tokenizer& tokenizer, std::string_view text) {
    std::vector<int32_t> ids = tokenizer.encode(text, tokenizer.add_bos(), false);
    if (!ids.empty()) return ids;
    if (tokenizer.bos_id() < 0)
        throw Error("the prompt is empty and this model's vocabulary has no beginning-of-text token to start "
                    "from; give a prompt");
    return {tokenizer.bos_id()};
}

}  // namespace tern
