#include "engine/chat/chat_template.h"

#include <cctype>

namespace tern {

namespace {

bool contains(const std::string& text, const char* needle) {
    return text.find(needle) != std::string::npos;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Jinja's `trim` strips whitespace at both ends; ASCII whitespace covers what chat UIs produce.
std::string trim(const std::string& s) {
    const char* ws = " \t\n\r\f\v";
    const size_t b = s.find_first_not_of(ws);
    if (b == std::string::npos) return {};
    const size_t e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

// Jinja's `capitalize`: first character upper case, the rest lower case ("user" -> "User").
std::string capitalize(const std::string& s) {
    std::string out = lower(s);
    if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    return out;
}

// Appends markup as is, and message text while noting where it lies, so that the tokenizer can
// refuse to read special tokens inside it.
struct Builder {
    RenderedChat& r;
    Builder& operator<<(const std::string& markup) {
        r.text += markup;
        return *this;
    }
    Builder& text(const std::string& user_text) {
        r.user_text.emplace_back(r.text.size(), r.text.size() + user_text.size());
        r.text += user_text;
        return *this;
    }
};

void render_bitnet(Builder& out, const std::vector<ChatMessage>& msgs, bool gen) {
    for (const auto& m : msgs) (out << capitalize(m.role) + ": ").text(trim(m.content)) << "<|eot_id|>";
    if (gen) out << "Assistant: ";
}

void render_llama3(Builder& out, const std::vector<ChatMessage>& msgs, bool gen) {
    for (const auto& m : msgs)
        (out << "<|start_header_id|>" + m.role + "<|end_header_id|>\n\n").text(trim(m.content)) << "<|eot_id|>";
    if (gen) out << "<|start_header_id|>assistant<|end_header_id|>\n\n";
}

void render_chatml(Builder& out, const std::vector<ChatMessage>& msgs, bool gen) {
    for (const auto& m : msgs) (out << "<|im_start|>" + m.role + "\n").text(m.content) << "<|im_end|>\n";
    if (gen) out << "<|im_start|>assistant\n";
}

void render_falcon3(Builder& out, const std::vector<ChatMessage>& msgs, bool gen) {
    for (size_t i = 0; i < msgs.size(); ++i) {
        const auto& m = msgs[i];
        (out << "<|" + m.role + "|>\n").text(m.content);
        if (m.role == "assistant") {
            out << "<|endoftext|>";
            // The Falcon3-Instruct template omits the newline after a final assistant message.
            if (i + 1 < msgs.size()) out << "\n";
        } else {
            out << "\n";
        }
    }
    if (gen) out << "<|assistant|>\n";
}

}  // namespace

std::optional<ChatFormat> chat_format_from_name(std::string_view name) {
    const std::string n = lower(name);
    if (n == "bitnet") return ChatFormat::BitNet;
    if (n == "llama3") return ChatFormat::Llama3;
    if (n == "chatml") return ChatFormat::ChatML;
    if (n == "falcon3") return ChatFormat::Falcon3;
    return std::nullopt;
}

const char* chat_format_name(ChatFormat format) {
    switch (format) {
        case ChatFormat::BitNet: return "bitnet";
        case ChatFormat::Llama3: return "llama3";
        case ChatFormat::ChatML: return "chatml";
        case ChatFormat::Falcon3: return "falcon3";
    }
    return "unknown";
}

ChatFormat detect_chat_format(const std::string& tmpl, const std::string& arch) {
    // Order matters: the BitNet placeholder is checked first because it is the one template
    // whose text says nothing true about the format; Llama3 before the BitNet HF template
    // because both contain <|eot_id|>.
    if (contains(tmpl, "BITNET")) return ChatFormat::BitNet;
    if (contains(tmpl, "<|start_header_id|>")) return ChatFormat::Llama3;
    if (contains(tmpl, "<|im_start|>")) return ChatFormat::ChatML;
    if (contains(tmpl, "<|assistant|>")) return ChatFormat::Falcon3;
    if (contains(tmpl, "<|eot_id|>") && contains(tmpl, "Assistant: ")) return ChatFormat::BitNet;
    if (lower(arch).rfind("bitnet", 0) == 0) return ChatFormat::BitNet;
    return ChatFormat::ChatML;
}

std::string render_chat(ChatFormat format, const std::vector<ChatMessage>& messages,
                        bool add_generation_prompt) {
    return render_chat_marked(format, messages, add_generation_prompt).text;
}

RenderedChat render_chat_marked(ChatFormat format, const std::vector<ChatMessage>& messages,
                                bool add_generation_prompt) {
    RenderedChat rendered;
    Builder out{rendered};
    switch (format) {
        case ChatFormat::BitNet: render_bitnet(out, messages, add_generation_prompt); break;
        case ChatFormat::Llama3: render_llama3(out, messages, add_generation_prompt); break;
        case ChatFormat::ChatML: render_chatml(out, messages, add_generation_prompt); break;
        case ChatFormat::Falcon3: render_falcon3(out, messages, add_generation_prompt); break;
    }
    return rendered;
}

std::vector<std::string> chat_stop_strings(ChatFormat format) {
    switch (format) {
        case ChatFormat::BitNet: return {"<|eot_id|>", "\nUser:", "\nSystem:"};
        case ChatFormat::Llama3: return {"<|eot_id|>", "<|start_header_id|>"};
        case ChatFormat::ChatML: return {"<|im_end|>", "<|im_start|>"};
        case ChatFormat::Falcon3: return {"<|endoftext|>", "<|user|>", "<|system|>"};
    }
    return {};
}

}  // namespace tern
