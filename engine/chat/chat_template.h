#pragma once
// Chat prompt formats. We do not run the Jinja templates embedded in GGUF files: the few formats
// ternary models use are rendered by hand, and the embedded text only serves to recognise which
// one a model wants. (The official BitNet b1.58 2B4T file even embeds a placeholder
// "Human: ... BITNETAssistant:" template that does not match how the model was trained; it is a
// marker for the BitNet format, see engine/gguf/bitnet-formats.md §6.)
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tern {

struct ChatMessage {
    std::string role;  // "system", "user", "assistant"
    std::string content;
};

enum class ChatFormat { BitNet, Llama3, ChatML, Falcon3 };

// "bitnet", "llama3", "chatml", "falcon3" (case-insensitive); nullopt for anything else.
std::optional<ChatFormat> chat_format_from_name(std::string_view name);
const char* chat_format_name(ChatFormat format);

// Recognises the format from the GGUF tokenizer.chat_template text, in this order:
//   contains "BITNET"                           -> BitNet (the official placeholder template)
//   contains "<|start_header_id|>"              -> Llama3
//   contains "<|im_start|>"                     -> ChatML
//   contains "<|assistant|>"                    -> Falcon3
//   contains "<|eot_id|>" and "Assistant: "     -> BitNet (the trained HF template)
// A recognised template wins over the architecture (a fine-tune may ship a different format);
// with no template or an unrecognised one: BitNet for bitnet architectures ("bitnet",
// "bitnet-b1.58", "bitnet-25", ...), ChatML otherwise.
ChatFormat detect_chat_format(const std::string& embedded_template, const std::string& arch);

// Renders the conversation without BOS (the tokenizer adds it) and, if add_generation_prompt,
// the header that makes the model answer as the assistant. Roles other than system/user/assistant
// are rendered with the format's generic role header where one exists (Llama3, ChatML, Falcon3)
// and capitalised for BitNet ("tool" -> "Tool: "), as the HF templates would.
//   BitNet:  "System: {trim}<|eot_id|>User: {trim}<|eot_id|>Assistant: {trim}<|eot_id|>", prompt "Assistant: "
//   Llama3:  "<|start_header_id|>{role}<|end_header_id|>\n\n{trim}<|eot_id|>", prompt the assistant header
//   ChatML:  "<|im_start|>{role}\n{content}<|im_end|>\n", prompt "<|im_start|>assistant\n"
//   Falcon3: "<|{role}|>\n{content}\n", assistant "<|assistant|>\n{content}<|endoftext|>\n",
//            prompt "<|assistant|>\n". As in the Falcon3-Instruct template, an assistant message
//            that ends the conversation gets no "\n" after <|endoftext|>.
std::string render_chat(ChatFormat format, const std::vector<ChatMessage>& messages,
                        bool add_generation_prompt);

// The same text, plus the byte ranges [begin, end) that hold message contents. Tokenize it with
// Tokenizer::encode_marked so that a "<|eot_id|>" typed by the user stays plain text while the
// template's own markers become special tokens.
struct RenderedChat {
    std::string text;
    std::vector<std::pair<size_t, size_t>> user_text;
};
RenderedChat render_chat_marked(ChatFormat format, const std::vector<ChatMessage>& messages,
                                bool add_generation_prompt);

// Text stop strings for a model that skips its end-of-turn token and starts the next turn by
// itself. End-of-generation TOKENS (<|eot_id|>, <|im_end|>, ...) are handled by the session; the
// marker texts are listed too because a model can also spell them out with ordinary tokens.
//   BitNet:  "<|eot_id|>", "\nUser:", "\nSystem:"   (turns are "User: ..." without a newline, but a
//            model running on usually breaks the line first; plain "User:" would also cut
//            legitimate answers that quote a transcript)
//   Llama3:  "<|eot_id|>", "<|start_header_id|>"
//   ChatML:  "<|im_end|>", "<|im_start|>"
//   Falcon3: "<|endoftext|>", "<|user|>", "<|system|>"
std::vector<std::string> chat_stop_strings(ChatFormat format);

}  // namespace tern
