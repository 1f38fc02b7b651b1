#include "engine/server/openai_response.h"

#include <atomic>
#include <chrono>
#include <random>

namespace tern::server {

using nlohmann::json;

namespace {
const std::string kFingerprint = std::string("tern-") + TERN_VERSION;

json choice_base() { return json{{"index", 0}, {"logprobs", nullptr}}; }

json finish_json(const std::optional<std::string>& finish) { return finish ? json(*finish) : json(nullptr); }

json envelope(const ResponseMeta& meta, const char* object) {
    return json{{"id", meta.id},
                {"object", object},
                {"created", meta.created},
                {"model", meta.model},
                {"system_fingerprint", kFingerprint}};
}
}  // namespace

std::optional<std::string> finish_reason(StopReason reason) {
    switch (reason) {
        case StopReason::EndOfGeneration:
        case StopReason::StopString: return "stop";
        case StopReason::MaxTokens:
        case StopReason::ContextFull: return "length";
        case StopReason::Cancelled: return std::nullopt;
    }
    return std::nullopt;
}

json usage_json(const ChatUsage& u) {
    json usage{{"prompt_tokens", u.prompt_tokens},
               {"completion_tokens", u.generated_tokens},
               {"total_tokens", u.prompt_tokens + u.generated_tokens},
               {"prompt_tokens_details", {{"cached_tokens", u.reused_tokens}}}};
    return usage;
}

json error_json(const ApiError& e) {
    return json{{"error",
                 {{"message", e.what()},
                  {"type", e.type()},
                  {"param", e.param.empty() ? json(nullptr) : json(e.param)},
                  {"code", e.code.empty() ? json(nullptr) : json(e.code)}}}};
}

json models_json(const std::string& model_id, int64_t created) {
    return json{{"object", "list"},
                {"data", json::array({{{"id", model_id}, {"object", "model"}, {"created", created}, {"owned_by", "tern"}}})}};
}

json chat_completion_json(const ResponseMeta& meta, const ChatResult& r) {
    json j = envelope(meta, "chat.completion");
    json c = choice_base();
    c["message"] = {{"role", "assistant"}, {"content", r.text}};
    c["finish_reason"] = finish_json(finish_reason(r.stop));
    j["choices"] = json::array({c});
    j["usage"] = usage_json(r.usage);
    return j;
}

json completion_json(const ResponseMeta& meta, const ChatResult& r) {
    json j = envelope(meta, "text_completion");
    json c = choice_base();
    c["text"] = r.text;
    c["finish_reason"] = finish_json(finish_reason(r.stop));
    j["choices"] = json::array({c});
    j["usage"] = usage_json(r.usage);
    return j;
}

json chat_chunk_json(const ResponseMeta& meta, const json& delta, const std::optional<std::string>& finish) {
    json j = envelope(meta, "chat.completion.chunk");
    json c = choice_base();
    c["delta"] = delta;
    c["finish_reason"] = finish_json(finish);
    j["choices"] = json::array({c});
    return j;
}

json completion_chunk_json(const ResponseMeta& meta, const std::string& text, const std::optional<std::string>& finish) {
    json j = envelope(meta, "text_completion");
    json c = choice_base();
    c["text"] = text;
    c["finish_reason"] = finish_json(finish);
    j["choices"] = json::array({c});
    return j;
}

json usage_chunk_json(const ResponseMeta& meta, const char* object, const ChatUsage& usage) {
    json j = envelope(meta, object);
    j["choices"] = json::array();
    j["usage"] = usage_json(usage);
    return j;
}

std::string json_text(const json& body) {
    // error_handler_t::replace: the engine never emits broken UTF-8, but text echoed from a
    // client could hold some, and dump() would throw on it.
    return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string sse_event(const json& payload) { return "data: " + json_text(payload) + "\n\n"; }

std::string new_response_id(const char* prefix) {
    // Ids only need to be unique, not secret: a per-process random start plus a counter.
    static const uint64_t base = std::random_device{}() ^ ((uint64_t)std::random_device{}() << 32);
    static std::atomic<uint64_t> counter{0};
    const uint64_t n = base + counter.fetch_add(1) * 0x9e3779b97f4a7c15ull;
    static const char* kHex = "0123456789abcdef";
    std::string id = std::string(prefix) + "-";
    for (int i = 0; i < 16; ++i) id += kHex[(n >> (60 - 4 * i)) & 15];
    uint64_t t = (uint64_t)std::chrono::steady_clock::now().time_since_epoch().count();
    for (int i = 0; i < 8; ++i) id += kHex[(t >> (28 - 4 * i)) & 15];
    return id;
}

}  // namespace tern::server
