#include "engine/server/openai_request.h"

#include "engine/tokenizer/json_file.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

namespace tern::server {
namespace {

using nlohmann::json;

// Real requests nest four or five levels (body -> messages -> message -> content -> part).
constexpr int kMaxNesting = 32;
constexpr size_t kMaxStopStrings = 4;  // as OpenAI
constexpr size_t kMaxStopBytes = 256;

[[noreturn]] void bad(const std::string& param, const std::string& message) {
    throw ApiError(400, message, param, param.empty() ? "invalid_request" : "invalid_value");
}

json parse_body(std::string_view body) {
    if (json_too_deep_at(body, kMaxNesting) != std::string_view::npos) bad("", "the request body is nested too deeply");
    json j;
    try {
        j = json::parse(body.begin(), body.end());
    } catch (const json::parse_error& e) {
        // nlohmann's message says where and why (e.g. ill-formed UTF-8 at column 40).
        throw ApiError(400, std::string("the request body is not valid JSON: ") + e.what(), "", "invalid_json");
    }
    if (!j.is_object()) bad("", "the request body must be a JSON object");
    return j;
}

// A field that is missing or null counts as not given (OpenAI clients send null for defaults).
const json* field(const json& j, const char* name) {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) return nullptr;
    return &*it;
}

double number(const json& j, const char* name, double lo, double hi) {
    const json* v = field(j, name);
    if (!v->is_number()) bad(name, std::string("'") + name + "' must be a number");
    const double x = v->get<double>();
    if (!(x >= lo && x <= hi))
        bad(name, std::string("'") + name + "' must be from " + json(lo).dump() + " to " + json(hi).dump());
    return x;
}

int64_t integer(const json& j, const char* name, int64_t lo, int64_t hi) {
    const json* v = field(j, name);
    // 5.0 is accepted as 5 (some clients send every number as a double); 5.5 is not.
    if (v->is_number_float()) {
        const double d = v->get<double>();
        if (std::floor(d) != d || !(d >= (double)lo && d <= (double)hi))
            bad(name, std::string("'") + name + "' must be a whole number from " + std::to_string(lo) + " to " +
                          std::to_string(hi));
        return (int64_t)d;
    }
    if (!v->is_number_integer()) bad(name, std::string("'") + name + "' must be an integer");
    if (v->is_number_unsigned() && v->get<uint64_t>() > (uint64_t)std::numeric_limits<int64_t>::max())
        bad(name, std::string("'") + name + "' is out of range");
    const int64_t x = v->get<int64_t>();
    if (x < lo || x > hi)
        bad(name, std::string("'") + name + "' must be from " + std::to_string(lo) + " to " + std::to_string(hi));
    return x;
}

bool boolean(const json& j, const char* name) {
    const json* v = field(j, name);
    if (!v) return false;
    if (!v->is_boolean()) bad(name, std::string("'") + name + "' must be true or false");
    return v->get<bool>();
}

// Fields the engine cannot honour: refused unless they hold their neutral value, so a client
// never silently gets something other than what it asked for.
void refuse_unsupported(const json& j) {
    if (const json* n = field(j, "n"))
        if (!n->is_number() || n->get<double>() != 1)
            bad("n", "only n = 1 is supported (one choice per request)");
    if (boolean(j, "logprobs") || field(j, "top_logprobs")) bad("logprobs", "logprobs are not supported");
    for (const char* p : {"tools", "functions"})
        if (const json* v = field(j, p))
            if (!(v->is_array() && v->empty())) bad(p, std::string("'") + p + "' (tool calling) is not supported");
    if (const json* v = field(j, "logit_bias"))
        if (!(v->is_object() && v->empty())) bad("logit_bias", "logit_bias is not supported");
    if (const json* v = field(j, "response_format"))
        if (!(v->is_object() && v->value("type", "") == "text"))
            bad("response_format", "only response_format {\"type\": \"text\"} is supported");
}

std::vector<std::string> stop_strings(const json& j) {
    std::vector<std::string> out;
    const json* v = field(j, "stop");
    if (!v) return out;
    auto add = [&](const json& s) {
        if (!s.is_string()) bad("stop", "'stop' must be a string or a list of strings");
        const std::string& str = s.get_ref<const std::string&>();
        if (str.empty()) bad("stop", "'stop' strings must not be empty");
        if (str.size() > kMaxStopBytes) bad("stop", "'stop' strings must be at most 256 bytes");
        out.push_back(str);
    };
    if (v->is_array()) {
        if (v->size() > kMaxStopStrings) bad("stop", "'stop' takes at most 4 strings");
        for (const json& s : *v) add(s);
    } else {
        add(*v);
    }
    return out;
}

void parse_common(const json& j, const RequestLimits& limits, GenerationRequest& r) {
    refuse_unsupported(j);
    if (const json* m = field(j, "model")) {
        if (!m->is_string()) bad("model", "'model' must be a string");
        r.model = m->get<std::string>();
    }
    r.stream = boolean(j, "stream");
    if (const json* so = field(j, "stream_options")) {
        if (!r.stream) bad("stream_options", "'stream_options' is only allowed when 'stream' is true");
        if (!so->is_object()) bad("stream_options", "'stream_options' must be an object");
        r.include_usage = boolean(*so, "include_usage");
    }

    // Unset fields keep the engine's defaults (those of tern-cli and the app), not OpenAI's
    // temperature 1 / top_p 1, which suit large models better than small ternary ones.
    SamplerParams& s = r.settings.sampling;
    if (field(j, "temperature")) s.temperature = (float)number(j, "temperature", 0, 2);
    if (field(j, "top_p")) s.top_p = (float)number(j, "top_p", 0, 1);
    // Extensions llama.cpp's server also accepts.
    if (field(j, "top_k")) s.top_k = (int)integer(j, "top_k", 0, 1 << 20);
    if (field(j, "min_p")) s.min_p = (float)number(j, "min_p", 0, 1);
    if (field(j, "repeat_penalty")) s.repeat_penalty = (float)number(j, "repeat_penalty", 0.01, 100);
    // OpenAI's additive penalties, over the same window of recent tokens as repeat_penalty
    // (SamplerParams::repeat_last_n: the prompt's last tokens count too, unlike at OpenAI).
    if (field(j, "frequency_penalty")) s.frequency_penalty = (float)number(j, "frequency_penalty", -2, 2);
    if (field(j, "presence_penalty")) s.presence_penalty = (float)number(j, "presence_penalty", -2, 2);
    if (field(j, "seed")) {
        // Any 64-bit integer. The sampler treats 0 as "draw a random seed", but a client that
        // sends seed 0 wants reproducibility: it gets a fixed substitute instead.
        const int64_t seed = integer(j, "seed", std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
        s.seed = seed == 0 ? 0x9e3779b97f4a7c15ull : (uint64_t)seed;
    } else {
        s.seed = 0;  // random
    }

    // max_completion_tokens is the current name, max_tokens the older one; the newer one wins.
    r.settings.max_tokens = limits.max_tokens;
    for (const char* name : {"max_tokens", "max_completion_tokens"})
        if (field(j, name)) r.settings.max_tokens = (int)integer(j, name, 1, limits.max_tokens);

    r.settings.stop = stop_strings(j);
}

// "content": a string, or a list of {"type": "text", "text": ...} parts (joined), or null for
// an assistant message.
std::string message_content(const json& m, size_t index) {
    const std::string param = "messages[" + std::to_string(index) + "].content";
    const json* c = field(m, "content");
    if (!c) return {};
    if (c->is_string()) return c->get<std::string>();
    if (!c->is_array()) bad(param, "'" + param + "' must be a string or a list of text parts");
    std::string text;
    for (const json& part : *c) {
        if (!part.is_object() || part.value("type", "") != "text")
            bad(param, "'" + param + "' may only hold parts of type 'text' (images and audio are not supported)");
        const json* t = field(part, "text");
        if (!t || !t->is_string()) bad(param, "a text part of '" + param + "' needs a string 'text'");
        text += t->get_ref<const std::string&>();
    }
    return text;
}

}  // namespace

ChatRequest parse_chat_request(std::string_view body, const RequestLimits& limits) {
    const json j = parse_body(body);
    ChatRequest r;
    parse_common(j, limits, r);
    const json* msgs = field(j, "messages");
    if (!msgs) bad("messages", "'messages' is required");
    if (!msgs->is_array() || msgs->empty()) bad("messages", "'messages' must be a non-empty list");
    if (msgs->size() > limits.max_messages)
        bad("messages", "too many messages (at most " + std::to_string(limits.max_messages) + ")");
    for (size_t i = 0; i < msgs->size(); ++i) {
        const json& m = (*msgs)[i];
        const std::string param = "messages[" + std::to_string(i) + "]";
        if (!m.is_object()) bad(param, "'" + param + "' must be an object");
        const json* role = field(m, "role");
        if (!role || !role->is_string()) bad(param + ".role", "'" + param + ".role' must be a string");
        std::string name = role->get<std::string>();
        if (name == "developer") name = "system";  // OpenAI's newer name for the system role
        if (name != "system" && name != "user" && name != "assistant")
            bad(param + ".role", "role '" + name + "' is not supported (system, developer, user, assistant)");
        if (!field(m, "content") && name != "assistant")
            bad(param + ".content", "'" + param + ".content' is required");
        if (field(m, "tool_calls")) bad(param + ".tool_calls", "tool calls are not supported");
        r.messages.push_back({name, message_content(m, i)});
    }
    return r;
}

CompletionRequest parse_completion_request(std::string_view body, const RequestLimits& limits) {
    const json j = parse_body(body);
    CompletionRequest r;
    parse_common(j, limits, r);
    if (boolean(j, "echo")) bad("echo", "'echo' is not supported");
    if (const json* s = field(j, "suffix"))
        if (!(s->is_string() && s->get_ref<const std::string&>().empty())) bad("suffix", "'suffix' is not supported");
    if (const json* b = field(j, "best_of"))
        if (!b->is_number() || b->get<double>() != 1) bad("best_of", "only best_of = 1 is supported");
    const json* p = field(j, "prompt");
    if (!p) bad("prompt", "'prompt' is required");
    // A list of one string is the same request; several prompts would need several choices,
    // and token-id prompts would tie clients to our vocabulary.
    if (p->is_array() && p->size() == 1 && (*p)[0].is_string()) p = &(*p)[0];
    if (!p->is_string()) bad("prompt", "'prompt' must be a string (or a list of exactly one string)");
    r.prompt = p->get<std::string>();
    return r;
}

}  // namespace tern::server
