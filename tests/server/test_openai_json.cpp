// The OpenAI JSON mapping of tern-server without a network: request validation (every refusal
// is a 400 naming the field) and the shapes of responses and stream events.
#include "engine/server/openai_request.h"
#include "engine/server/openai_response.h"
#include "engine/server/server_options.h"
#include "engine/tokenizer/json_file.h"

#include <catch2/catch.hpp>

using namespace tern;
using namespace tern::server;
using nlohmann::json;

namespace {

const RequestLimits kLimits{8, 100};

// The status and field of the ApiError that parsing `body` throws.
std::pair<int, std::string> chat_error(const std::string& body) {
    try {
        parse_chat_request(body, kLimits);
    } catch (const ApiError& e) {
        return {e.status, e.param};
    }
    return {0, "no error"};
}

}  // namespace

TEST_CASE("chat request: messages, sampling and limits are mapped", "[server]") {
    const ChatRequest r = parse_chat_request(R"({
        "model": "tern-default", "stream": true, "stream_options": {"include_usage": true},
        "messages": [{"role": "developer", "content": "be brief"},
                     {"role": "user", "content": [{"type": "text", "text": "hello "}, {"type": "text", "text": "there"}]},
                     {"role": "assistant", "content": null},
                     {"role": "user", "content": "again"}],
        "temperature": 0, "top_p": 0.5, "max_tokens": 7, "max_completion_tokens": 9, "seed": 42,
        "stop": ["\n\n", "END"], "n": 1, "presence_penalty": 0, "frequency_penalty": null, "user": "x"})",
                                             kLimits);
    REQUIRE(r.messages.size() == 4);
    CHECK(r.messages[0].role == "system");
    CHECK(r.messages[1].content == "hello there");
    CHECK(r.messages[2].role == "assistant");
    CHECK(r.messages[2].content.empty());
    CHECK(r.model == std::optional<std::string>("tern-default"));
    CHECK(r.stream);
    CHECK(r.include_usage);
    CHECK(r.settings.sampling.temperature == 0.0f);
    CHECK(r.settings.sampling.top_p == 0.5f);
    CHECK(r.settings.max_tokens == 9);  // max_completion_tokens wins over max_tokens
    CHECK(r.settings.sampling.seed == 42u);
    CHECK(r.settings.stop == std::vector<std::string>{"\n\n", "END"});
}

TEST_CASE("chat request: presence_penalty and frequency_penalty reach the sampler", "[server]") {
    const std::string user = R"("messages": [{"role": "user", "content": "hi"}])";
    const ChatRequest r =
        parse_chat_request("{" + user + R"(, "presence_penalty": 0.5, "frequency_penalty": -2})", kLimits);
    CHECK(r.settings.sampling.presence_penalty == 0.5f);
    CHECK(r.settings.sampling.frequency_penalty == -2.0f);
    const CompletionRequest c =
        parse_completion_request(R"({"prompt": "x", "frequency_penalty": 2, "presence_penalty": null})", kLimits);
    CHECK(c.settings.sampling.frequency_penalty == 2.0f);
    CHECK(c.settings.sampling.presence_penalty == 0.0f);  // null: the default, off
    // The message names the field and OpenAI's range.
    try {
        parse_chat_request("{" + user + R"(, "presence_penalty": 3})", kLimits);
        FAIL("presence_penalty 3 was accepted");
    } catch (const ApiError& e) {
        CHECK(e.status == 400);
        CHECK_THAT(e.what(), Catch::Contains("'presence_penalty' must be from -2"));
    }
}

TEST_CASE("chat request: defaults", "[server]") {
    const ChatRequest r = parse_chat_request(R"({"messages": [{"role": "user", "content": "hi"}]})", kLimits);
    CHECK_FALSE(r.model);
    CHECK_FALSE(r.stream);
    CHECK(r.settings.max_tokens == kLimits.max_tokens);  // bounded even when not asked
    CHECK(r.settings.sampling.seed == 0u);                // random
    CHECK(r.settings.sampling.temperature == SamplerParams{}.temperature);
    CHECK(r.settings.stop.empty());
    // A single stop string, and seed 0 still reproducible (not the sampler's "random").
    const ChatRequest s =
        parse_chat_request(R"({"messages": [{"role": "user", "content": "hi"}], "stop": "x", "seed": 0})", kLimits);
    CHECK(s.settings.stop == std::vector<std::string>{"x"});
    CHECK(s.settings.sampling.seed != 0u);
}

TEST_CASE("chat request: every mistake is a 400 naming the field", "[server]") {
    const std::string user = R"("messages": [{"role": "user", "content": "hi"}])";
    CHECK(chat_error("{not json") == std::make_pair(400, std::string()));
    CHECK(chat_error("[1, 2]").first == 400);
    CHECK(chat_error("{}") == std::make_pair(400, std::string("messages")));
    CHECK(chat_error(R"({"messages": []})").second == "messages");
    CHECK(chat_error(R"({"messages": [{"role": "tool", "content": "x"}]})").second == "messages[0].role");
    CHECK(chat_error(R"({"messages": [{"role": "user"}]})").second == "messages[0].content");
    CHECK(chat_error(R"({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]})").second ==
          "messages[0].content");
    CHECK(chat_error("{" + user + R"(, "n": 2})").second == "n");
    CHECK(chat_error("{" + user + R"(, "presence_penalty": 3})") == std::make_pair(400, std::string("presence_penalty")));
    CHECK(chat_error("{" + user + R"(, "frequency_penalty": -2.5})").second == "frequency_penalty");
    CHECK(chat_error("{" + user + R"(, "frequency_penalty": "high"})").second == "frequency_penalty");
    CHECK(chat_error("{" + user + R"(, "temperature": 3})").second == "temperature");
    CHECK(chat_error("{" + user + R"(, "temperature": "hot"})").second == "temperature");
    CHECK(chat_error("{" + user + R"(, "top_p": 1.5})").second == "top_p");
    CHECK(chat_error("{" + user + R"(, "max_tokens": 0})").second == "max_tokens");
    CHECK(chat_error("{" + user + R"(, "max_tokens": 101})").second == "max_tokens");  // over the server's bound
    CHECK(chat_error("{" + user + R"(, "max_tokens": 2.5})").second == "max_tokens");
    CHECK(chat_error("{" + user + R"(, "seed": 1e30})").second == "seed");
    CHECK(chat_error("{" + user + R"(, "stop": ["a","b","c","d","e"]})").second == "stop");
    CHECK(chat_error("{" + user + R"(, "stop": [""]})").second == "stop");
    CHECK(chat_error("{" + user + R"(, "stop": 5})").second == "stop");
    CHECK(chat_error("{" + user + R"(, "stream_options": {"include_usage": true}})").second == "stream_options");
    CHECK(chat_error("{" + user + R"(, "tools": [{"type": "function"}]})").second == "tools");
    CHECK(chat_error("{" + user + R"(, "logprobs": true})").second == "logprobs");
    CHECK(chat_error("{" + user + R"(, "response_format": {"type": "json_object"}})").second == "response_format");
    CHECK(chat_error("{" + user + R"(, "model": 5})").second == "model");
    std::string many = R"({"messages": [)";
    for (int i = 0; i < 9; ++i) many += std::string(i ? "," : "") + R"({"role": "user", "content": "x"})";
    CHECK(chat_error(many + "]}").second == "messages");  // over max_messages
}

TEST_CASE("request bodies nested absurdly deep are refused before parsing", "[server]") {
    const auto npos = std::string_view::npos;
    CHECK(json_too_deep_at(R"({"a": [1, {"b": "[[[[["}]})", 3) == npos);  // brackets in strings do not count
    CHECK(json_too_deep_at(R"({"a": [1, {"b": "[[[[["}]})", 2) == 10);   // the third level's '{'
    CHECK(json_too_deep_at(R"("\"[")", 0) == npos);
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    CHECK(json_too_deep_at(deep, 128) == 128);
    CHECK(chat_error(deep).first == 400);
}

TEST_CASE("completion request: prompt forms", "[server]") {
    CHECK(parse_completion_request(R"({"prompt": "once"})", kLimits).prompt == "once");
    CHECK(parse_completion_request(R"({"prompt": ["once"]})", kLimits).prompt == "once");
    for (const char* body : {R"({})", R"({"prompt": ["a", "b"]})", R"({"prompt": [1, 2]})",
                             R"({"prompt": "a", "echo": true})", R"({"prompt": "a", "best_of": 2})",
                             R"({"prompt": "a", "suffix": "b"})"}) {
        INFO(body);
        CHECK_THROWS_AS(parse_completion_request(body, kLimits), ApiError);
    }
}

TEST_CASE("responses and stream chunks have OpenAI's shapes", "[server]") {
    const ResponseMeta meta{"chatcmpl-1", 1700000000, "tern-default"};
    ChatResult r;
    r.text = "hi";
    r.stop = StopReason::MaxTokens;
    r.usage.prompt_tokens = 10;
    r.usage.reused_tokens = 6;
    r.usage.generated_tokens = 3;
    const json c = chat_completion_json(meta, r);
    CHECK(c["object"] == "chat.completion");
    CHECK(c["id"] == "chatcmpl-1");
    CHECK(c["created"] == 1700000000);
    CHECK(c["model"] == "tern-default");
    CHECK(c["choices"][0]["message"]["role"] == "assistant");
    CHECK(c["choices"][0]["message"]["content"] == "hi");
    CHECK(c["choices"][0]["finish_reason"] == "length");
    CHECK(c["usage"]["prompt_tokens"] == 10);
    CHECK(c["usage"]["completion_tokens"] == 3);
    CHECK(c["usage"]["total_tokens"] == 13);
    CHECK(c["usage"]["prompt_tokens_details"]["cached_tokens"] == 6);

    CHECK(finish_reason(StopReason::EndOfGeneration) == std::optional<std::string>("stop"));
    CHECK(finish_reason(StopReason::StopString) == std::optional<std::string>("stop"));
    CHECK(finish_reason(StopReason::ContextFull) == std::optional<std::string>("length"));
    CHECK_FALSE(finish_reason(StopReason::Cancelled));

    const std::string event = sse_event(chat_chunk_json(meta, {{"content", "a\nb"}}, std::nullopt));
    CHECK(event.rfind("data: {", 0) == 0);
    CHECK(event.substr(event.size() - 2) == "\n\n");
    CHECK(event.find('\n') == event.size() - 2);  // one line: the newline in the text is escaped
    const json chunk = json::parse(event.substr(6));
    CHECK(chunk["object"] == "chat.completion.chunk");
    CHECK(chunk["choices"][0]["delta"]["content"] == "a\nb");
    CHECK(chunk["choices"][0]["finish_reason"].is_null());
    CHECK(std::string(sse_done()) == "data: [DONE]\n\n");

    const json usage = usage_chunk_json(meta, "chat.completion.chunk", r.usage);
    CHECK(usage["choices"].empty());
    CHECK(usage["usage"]["completion_tokens"] == 3);

    const json t = completion_json({"cmpl-1", 1, "m"}, r);
    CHECK(t["object"] == "text_completion");
    CHECK(t["choices"][0]["text"] == "hi");

    const json e = error_json(ApiError(400, "bad n", "n", "invalid_value"));
    CHECK(e["error"]["message"] == "bad n");
    CHECK(e["error"]["type"] == "invalid_request_error");
    CHECK(e["error"]["param"] == "n");
    CHECK(error_json(ApiError(401, "no"))["error"]["type"] == "authentication_error");
    CHECK(error_json(ApiError(401, "no"))["error"]["param"].is_null());

    // Broken UTF-8 echoed from a client does not make formatting throw.
    CHECK_NOTHROW(json_text(json{{"text", std::string("\xff\xfe")}}));
    CHECK(new_response_id("chatcmpl") != new_response_id("chatcmpl"));
}

TEST_CASE("server options: exposed addresses need a key", "[server]") {
    CHECK(is_loopback_host("127.0.0.1"));
    CHECK(is_loopback_host("127.1.2.3"));
    CHECK(is_loopback_host("::1"));
    CHECK(is_loopback_host("localhost"));
    CHECK_FALSE(is_loopback_host("0.0.0.0"));
    CHECK_FALSE(is_loopback_host("127.0.0.1.evil.com"));
    CHECK_FALSE(is_loopback_host("127.0.0"));
    CHECK_FALSE(is_loopback_host("192.168.1.2"));
    CHECK_FALSE(is_loopback_host("localhost.evil.com"));
    ServerOptions o;
    CHECK_NOTHROW(validate(o));
    o.host = "0.0.0.0";
    CHECK_THROWS_WITH(validate(o), Catch::Contains("--api-key"));
    o.api_key = "secret";
    CHECK_NOTHROW(validate(o));
    o.api_key = "has space";
    CHECK_THROWS(validate(o));
    CHECK(model_id_from_path("/x/y/tern-default.gguf") == "tern-default");
    CHECK(model_id_from_path("C:\\m\\a.b.gguf") == "a.b");
    CHECK(model_id_from_path("plain") == "plain");
}
