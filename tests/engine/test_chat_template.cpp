#include "engine/chat/chat_template.h"

#include <catch2/catch.hpp>

#include <algorithm>

using tern::ChatFormat;
using tern::ChatMessage;

namespace {

const std::vector<ChatMessage> kConversation = {
    {"system", "You are a helpful assistant."},
    {"user", "Hi!"},
    {"assistant", "Hello. How can I help?"},
    {"user", "What is 2+2?"},
};

// Official microsoft/bitnet-b1.58-2B-4T-gguf placeholder (engine/gguf/bitnet-formats.md §6).
const char* kBitnetPlaceholder =
    "{% for message in messages %}{% if loop.first %}{{ bos_token }}{% endif %}"
    "{% if message['role'] == 'user' %}{{ 'Human: ' + message['content'] + '\\n\\nBITNETAssistant: ' "
    "+ eos_token }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token }}"
    "{% endif %}{% endfor %}";

// The template the model was trained with (HF tokenizer_config.json, same section).
const char* kBitnetHf =
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
    "message['role'] | capitalize + ': '+ message['content'] | trim + '<|eot_id|>' %}{{ content }}"
    "{% endfor %}{% if add_generation_prompt %}{{ 'Assistant: ' }}{% endif %}";

const char* kLlama3 =
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
    "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim "
    "+ '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
    "{{ content }}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

const char* kChatML =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] "
    "+ '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}"
    "{% endif %}";

const char* kFalcon3 =
    "{%- for message in messages %}{%- if message['role'] == 'system' %}"
    "{{- '<|system|>\\n' + message['content'] + '\\n' }}{%- elif message['role'] == 'user' %}"
    "{{- '<|user|>\\n' + message['content'] + '\\n' }}{%- elif message['role'] == 'assistant' %}"
    "{%- if not loop.last %}{{- '<|assistant|>\\n' + message['content'] + eos_token + '\\n' }}"
    "{%- else %}{{- '<|assistant|>\\n' + message['content'] + eos_token }}{%- endif %}{%- endif %}"
    "{%- if loop.last and add_generation_prompt %}{{- '<|assistant|>\\n' }}{%- endif %}{%- endfor %}";

}  // namespace

TEST_CASE("BitNet format renders the trained template", "[chat]") {
    CHECK(tern::render_chat(ChatFormat::BitNet, kConversation, true) ==
          "System: You are a helpful assistant.<|eot_id|>"
          "User: Hi!<|eot_id|>"
          "Assistant: Hello. How can I help?<|eot_id|>"
          "User: What is 2+2?<|eot_id|>"
          "Assistant: ");
    CHECK(tern::render_chat(ChatFormat::BitNet, {{"user", "  Hey\n"}}, false) == "User: Hey<|eot_id|>");
}

TEST_CASE("Llama3 format", "[chat]") {
    CHECK(tern::render_chat(ChatFormat::Llama3, kConversation, true) ==
          "<|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|>"
          "<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>"
          "<|start_header_id|>assistant<|end_header_id|>\n\nHello. How can I help?<|eot_id|>"
          "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
          "<|start_header_id|>assistant<|end_header_id|>\n\n");
    CHECK(tern::render_chat(ChatFormat::Llama3, {{"user", "\n Hey \n"}}, false) ==
          "<|start_header_id|>user<|end_header_id|>\n\nHey<|eot_id|>");
}

TEST_CASE("ChatML format", "[chat]") {
    CHECK(tern::render_chat(ChatFormat::ChatML, kConversation, true) ==
          "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
          "<|im_start|>user\nHi!<|im_end|>\n"
          "<|im_start|>assistant\nHello. How can I help?<|im_end|>\n"
          "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
          "<|im_start|>assistant\n");
    CHECK(tern::render_chat(ChatFormat::ChatML, kConversation, false).substr(0, 12) == "<|im_start|>");
}

TEST_CASE("Falcon3 format", "[chat]") {
    CHECK(tern::render_chat(ChatFormat::Falcon3, kConversation, true) ==
          "<|system|>\nYou are a helpful assistant.\n"
          "<|user|>\nHi!\n"
          "<|assistant|>\nHello. How can I help?<|endoftext|>\n"
          "<|user|>\nWhat is 2+2?\n"
          "<|assistant|>\n");
    // A final assistant message has no newline after <|endoftext|> (Falcon3-Instruct template).
    CHECK(tern::render_chat(ChatFormat::Falcon3, {{"user", "Hi"}, {"assistant", "Yo"}}, false) ==
          "<|user|>\nHi\n<|assistant|>\nYo<|endoftext|>");
}

TEST_CASE("empty conversation renders just the prompt", "[chat]") {
    CHECK(tern::render_chat(ChatFormat::BitNet, {}, true) == "Assistant: ");
    CHECK(tern::render_chat(ChatFormat::ChatML, {}, false).empty());
}

TEST_CASE("format detection from embedded templates", "[chat]") {
    CHECK(tern::detect_chat_format(kBitnetPlaceholder, "bitnet-b1.58") == ChatFormat::BitNet);
    CHECK(tern::detect_chat_format(kBitnetPlaceholder, "llama") == ChatFormat::BitNet);
    CHECK(tern::detect_chat_format(kBitnetHf, "bitnet-b1.58") == ChatFormat::BitNet);
    CHECK(tern::detect_chat_format(kBitnetHf, "llama") == ChatFormat::BitNet);
    CHECK(tern::detect_chat_format(kLlama3, "llama") == ChatFormat::Llama3);
    CHECK(tern::detect_chat_format(kChatML, "qwen2") == ChatFormat::ChatML);
    CHECK(tern::detect_chat_format(kFalcon3, "llama") == ChatFormat::Falcon3);
    // A recognisable template wins over the architecture.
    CHECK(tern::detect_chat_format(kChatML, "bitnet-b1.58") == ChatFormat::ChatML);
}

TEST_CASE("format detection falls back on the architecture", "[chat]") {
    CHECK(tern::detect_chat_format("", "bitnet-b1.58") == ChatFormat::BitNet);
    CHECK(tern::detect_chat_format("", "bitnet-25") == ChatFormat::BitNet);
    CHECK(tern::detect_chat_format("", "bitnet") == ChatFormat::BitNet);
    CHECK(tern::detect_chat_format("", "llama") == ChatFormat::ChatML);
    CHECK(tern::detect_chat_format("{{ messages }}", "llama") == ChatFormat::ChatML);
    CHECK(tern::detect_chat_format("{{ messages }}", "bitnet-b1.58") == ChatFormat::BitNet);
}

TEST_CASE("format names round-trip", "[chat]") {
    for (ChatFormat f : {ChatFormat::BitNet, ChatFormat::Llama3, ChatFormat::ChatML, ChatFormat::Falcon3}) {
        const auto back = tern::chat_format_from_name(tern::chat_format_name(f));
        REQUIRE(back.has_value());
        CHECK(*back == f);
    }
    CHECK(tern::chat_format_from_name("ChatML") == ChatFormat::ChatML);
    CHECK_FALSE(tern::chat_format_from_name("vicuna").has_value());
    CHECK_FALSE(tern::chat_format_from_name("").has_value());
}

TEST_CASE("stop strings catch a model opening the next turn", "[chat]") {
    const auto bitnet = tern::chat_stop_strings(ChatFormat::BitNet);
    CHECK(std::find(bitnet.begin(), bitnet.end(), "\nUser:") != bitnet.end());
    CHECK(std::find(bitnet.begin(), bitnet.end(), "<|eot_id|>") != bitnet.end());
    const auto llama = tern::chat_stop_strings(ChatFormat::Llama3);
    CHECK(std::find(llama.begin(), llama.end(), "<|start_header_id|>") != llama.end());
    const auto chatml = tern::chat_stop_strings(ChatFormat::ChatML);
    CHECK(std::find(chatml.begin(), chatml.end(), "<|im_start|>") != chatml.end());
    const auto falcon = tern::chat_stop_strings(ChatFormat::Falcon3);
    CHECK(std::find(falcon.begin(), falcon.end(), "<|user|>") != falcon.end());
    // An empty stop string would match at once and end every reply.
    for (ChatFormat f : {ChatFormat::BitNet, ChatFormat::Llama3, ChatFormat::ChatML, ChatFormat::Falcon3})
        for (const auto& s : tern::chat_stop_strings(f)) CHECK_FALSE(s.empty());
}
