#pragma once
// OpenAI request bodies -> what ChatEngine needs. Validation happens here, before a request is
// queued, so every mistake is a 400 with the field named, and the inference thread only ever
// sees well-formed work. Fields are mapped honestly: what the engine cannot do (n > 1, non-zero
// presence/frequency penalties, tools, logprobs) is refused with a 400 rather than ignored.
#include "engine/chat/chat_engine.h"
#include "engine/server/api_error.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::server {

struct RequestLimits {
    size_t max_messages = 512;
    int max_tokens = 4096;  // largest accepted max_tokens, and the value used when none is given
};

// What both endpoints share.
struct GenerationRequest {
    std::optional<std::string> model;  // as sent; checked against the loaded model by the routes
    ChatSettings settings;
    bool stream = false;
    bool include_usage = false;        // stream_options.include_usage
};

struct ChatRequest : GenerationRequest {
    std::vector<ChatMessage> messages;
};

struct CompletionRequest : GenerationRequest {
    std::string prompt;
};

// Throw ApiError (status 400) on malformed JSON, wrong types, out-of-range or unsupported values.
ChatRequest parse_chat_request(std::string_view body, const RequestLimits& limits);
CompletionRequest parse_completion_request(std::string_view body, const RequestLimits& limits);


}  // namespace tern::server
