#pragma once
// Turns a conversation into prompt tokens that fit the context window: render with the chat
// template, tokenise with special tokens recognised, and, when asked, drop the oldest turns.
#include "engine/chat/chat_template.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace tern {

class Tokenizer;

struct ChatPrompt {
    std::vector<int32_t> tokens;
    int dropped_messages = 0;  // oldest non-system messages left out to make room
};

// reserve: tokens to keep free for the reply. Throws ContextFullError when the conversation
// does not fit and drop_oldest is false, or when even the system prompt plus the last message
// alone do not fit.
ChatPrompt build_chat_prompt(const Tokenizer& tokenizer, ChatFormat format, std::vector<ChatMessage> messages,
                             int32_t n_ctx, int32_t reserve, bool drop_oldest);

// Token ids of a plain-text completion prompt: BOS when the vocabulary wants one, then `text`.
// An empty text starts from BOS alone; with no BOS in the vocabulary there is nothing to start
// from, and tern::Error says so (rather than an invalid id reaching the model).
std::vector<int32_t> build_completion_prompt(const Tokenizer& tokenizer, std::string_view text);

}  // namespace tern
