// Chat templates and prompt building on arbitrary conversations (chat_template.h,
// chat_prompt.h). Checked on every input:
//   - format detection and name lookup never fail, and a name round-trips;
//   - render_chat() and render_chat_marked() give the same text, and the marked ranges are
//     ordered, disjoint and inside it;
//   - build_chat_prompt() fits the budget it promises, spells the rendered text back (the
//     built-in model's byte-level BPE round-trips), and no Control token comes from a message's
//     content: a "<|eot_id|>" typed by the user must stay plain text (the point of encode_marked).
#include "engine/chat/chat_prompt.h"
#include "engine/chat/chat_template.h"
#include "engine/chat/session.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/fuzz/fuzz_support.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "fuzz_chat_template: %s\n", what);
    std::abort();
}

void check_marked(const tern::RenderedChat& r) {
    size_t prev_end = 0;
    for (const auto& range : r.user_text) {
        if (range.first < prev_end || range.first > range.second || range.second > r.text.size())
            fail("marked ranges are out of order or outside the text");
        prev_end = range.second;
    }
}

// Byte offset of every token in the text it spells, then: no Control token overlaps a range.
void check_no_control_in_content(const tern::Tokenizer& tok, const std::vector<int32_t>& ids, size_t skip,
                                 const tern::RenderedChat& r) {
    size_t pos = 0;
    for (size_t i = skip; i < ids.size(); ++i) {
        const size_t len = tok.token_bytes(ids[i]).size();
        if (tok.token_type(ids[i]) == tern::TokenType::Control)
            for (const auto& range : r.user_text)
                if (pos < range.second && range.first < pos + len) fail("a Control token was read from message content");
        pos += len;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider in(data, size);
    const std::string embedded = in.ConsumeRandomLengthString(256);
    const std::string arch = in.ConsumeRandomLengthString(32);
    const tern::ChatFormat detected = tern::detect_chat_format(embedded, arch);
    if (tern::chat_format_from_name(tern::chat_format_name(detected)) != detected) fail("format name does not round-trip");
    if (const auto named = tern::chat_format_from_name(arch))
        if (tern::chat_format_from_name(tern::chat_format_name(*named)) != *named) fail("format name does not round-trip");

    static const tern::ChatFormat kFormats[] = {tern::ChatFormat::BitNet, tern::ChatFormat::Llama3,
                                                tern::ChatFormat::ChatML, tern::ChatFormat::Falcon3};
    const tern::ChatFormat format = in.PickValueInArray(kFormats);
    const bool generation_prompt = in.ConsumeBool();
    const bool drop_oldest = in.ConsumeBool();
    const int32_t n_ctx = in.ConsumeIntegralInRange<int32_t>(0, 512);
    const int32_t reserve = in.ConsumeIntegralInRange<int32_t>(-4, 256);
    std::vector<tern::ChatMessage> messages;
    static const char* kRoles[] = {"system", "user", "assistant", "tool", ""};
    while (in.remaining_bytes() > 0 && messages.size() < 16) {
        tern::ChatMessage m;
        m.role = in.ConsumeBool() ? std::string(in.PickValueInArray(kRoles)) : in.ConsumeRandomLengthString(16);
        m.content = in.ConsumeRandomLengthString(512);
        messages.push_back(std::move(m));
    }

    const std::string plain = tern::render_chat(format, messages, generation_prompt);
    const tern::RenderedChat marked = tern::render_chat_marked(format, messages, generation_prompt);
    if (plain != marked.text) fail("render_chat() and render_chat_marked() differ");
    check_marked(marked);
    (void)tern::chat_stop_strings(format);

    const tern::Tokenizer& tok = tern_fuzz::default_tokenizer();
    try {
        const tern::ChatPrompt p = tern::build_chat_prompt(tok, format, messages, n_ctx, reserve, drop_oldest);
        if ((int64_t)p.tokens.size() > (int64_t)n_ctx - std::max<int32_t>(reserve, 1)) fail("prompt exceeds its budget");
        if (p.dropped_messages < 0 || (size_t)p.dropped_messages > messages.size()) fail("dropped_messages out of range");
        if (p.dropped_messages == 0) {
            const tern::RenderedChat full = tern::render_chat_marked(format, messages, true);
            const size_t skip = tok.add_bos() ? 1 : 0;
            if (skip && (p.tokens.empty() || p.tokens[0] != tok.bos_id())) fail("the prompt does not start with BOS");
            const std::vector<int32_t> body(p.tokens.begin() + skip, p.tokens.end());
            if (tok.decode(body) != full.text) fail("the prompt tokens do not spell the rendered text");
            check_no_control_in_content(tok, p.tokens, skip, full);
        }
    } catch (const tern::ContextFullError&) {
        // Does not fit (and may not be shortened): the documented outcome.
    }
    return 0;
}
