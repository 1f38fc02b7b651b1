#pragma once
// ChatEngine results -> OpenAI response bodies and server-sent events. Pure functions of their
// inputs (ids and timestamps are passed in), so the formats can be unit-tested.
#include "engine/chat/chat_engine.h"
#include "engine/server/api_error.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace tern::server {

// Who and when, shared by every chunk of one response.
struct ResponseMeta {
    std::string id;       // "chatcmpl-..." or "cmpl-..."
    int64_t created = 0;  // Unix seconds
    std::string model;    // the loaded model's id
};

// "stop" for the end of the turn or a stop string, "length" for max_tokens or a full context.
// nullopt for a cancelled generation (nobody is listening any more).
std::optional<std::string> finish_reason(StopReason reason);

nlohmann::json usage_json(const ChatUsage& usage);  // includes prompt_tokens_details.cached_tokens
nlohmann::json error_json(const ApiError& error);
nlohmann::json models_json(const std::string& model_id, int64_t created);

// Non-streamed bodies.
nlohmann::json chat_completion_json(const ResponseMeta& meta, const ChatResult& result);
nlohmann::json completion_json(const ResponseMeta& meta, const ChatResult& result);

// Stream chunks. A chat stream opens with the assistant role, then content deltas, then an empty
// delta with the finish reason, then (with include_usage) a chunk with no choices and the usage.
nlohmann::json chat_chunk_json(const ResponseMeta& meta, const nlohmann::json& delta,
                               const std::optional<std::string>& finish);
nlohmann::json completion_chunk_json(const ResponseMeta& meta, const std::string& text,
                                     const std::optional<std::string>& finish);
nlohmann::json usage_chunk_json(const ResponseMeta& meta, const char* object, const ChatUsage& usage);

// One server-sent event: "data: <json>\n\n". JSON never contains a raw newline, so one data
// line always holds the whole event.
std::string sse_event(const nlohmann::json& payload);
inline const char* sse_done() { return "data: [DONE]\n\n"; }

// The JSON text of a response body. Invalid UTF-8 (only possible in text a client sent, e.g. a
// stop string echoed back) becomes U+FFFD instead of an exception.
std::string json_text(const nlohmann::json& body);

// A fresh id with the prefix: 24 random hex digits.
std::string new_response_id(const char* prefix);

}  // namespace tern::server
