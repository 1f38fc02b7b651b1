// Sessions: generation, cancellation, prefix reuse, context limits.
#include "engine/chat/chat_prompt.h"
#include "engine/model/model.h"
#include "engine/chat/session.h"
#include "engine/chat/stop_strings.h"
#include "engine/model/thread_pool.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/engine/test_support.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

using namespace tern;

namespace {

std::unique_ptr<Model> tiny(int threads = 2) { return Model::load(tern_test::tiny_model(), tern_test::threads(threads)); }

GenerateParams greedy(int n) {
    GenerateParams p;
    p.max_tokens = n;
    p.sampling.temperature = 0;
    p.sampling.repeat_penalty = 1.0f;
    return p;
}

std::vector<int32_t> prompt_of(const Model& m, const std::string& text) {
    return m.tokenizer().encode(text, true, false);
}

}  // namespace

TEST_CASE("greedy generation is deterministic", "[session]") {
    auto model = tiny();
    Session a(*model), b(*model);
    auto ra = a.generate(prompt_of(*model, "Once upon a time"), greedy(24));
    auto rb = b.generate(prompt_of(*model, "Once upon a time"), greedy(24));
    CHECK(ra.tokens == rb.tokens);
    CHECK(ra.text == rb.text);
    // Seeded sampling is reproducible too.
    GenerateParams p = greedy(24);
    p.sampling.temperature = 1.0f;
    p.sampling.seed = 42;
    Session c(*model), d(*model);
    CHECK(c.generate(prompt_of(*model, "Hi"), p).tokens == d.generate(prompt_of(*model, "Hi"), p).tokens);
}

TEST_CASE("streamed pieces add up to the result text", "[session]") {
    auto model = tiny();
    Session s(*model);
    std::string streamed;
    auto r = s.generate(prompt_of(*model, "abc"), greedy(20), [&](std::string_view piece) { streamed += piece; });
    CHECK(streamed == r.text);
    CHECK(r.reason == StopReason::MaxTokens);
    CHECK(r.tokens.size() == 20);
}

TEST_CASE("cancel from the streaming callback stops within one token", "[session]") {
    auto model = tiny();
    Session s(*model);
    int pieces = 0;
    GenerateParams p = greedy(200);
    auto r = s.generate(prompt_of(*model, "stop me"), p, [&](std::string_view) {
        if (++pieces == 3) p.cancel.cancel();
    });
    CHECK(r.reason == StopReason::Cancelled);
    CHECK(r.tokens.size() <= 4);
}

TEST_CASE("cancel from another thread stops a running generation", "[session]") {
    auto model = tiny(1);
    Session s(*model);
    std::atomic<int> produced{0};
    GenerateResult r;
    const GenerateParams params = greedy(0 /* until context full */);
    std::thread worker([&] { r = s.generate(prompt_of(*model, "go"), params, [&](std::string_view) { ++produced; }); });
    while (produced.load() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    params.cancel.cancel();
    worker.join();
    CHECK(r.reason == StopReason::Cancelled);
    CHECK((int)r.tokens.size() < s.n_ctx() - 10);
}

TEST_CASE("a cancel sent before generation starts is not lost", "[session]") {
    auto model = tiny();
    Session s(*model);
    GenerateParams p = greedy(50);
    p.cancel.cancel();  // e.g. the user pressed Stop while the request was still queued
    int pieces = 0;
    auto r = s.generate(prompt_of(*model, "never written"), p, [&](std::string_view) { ++pieces; });
    CHECK(r.reason == StopReason::Cancelled);
    CHECK(r.tokens.empty());
    CHECK(pieces == 0);
}

TEST_CASE("a follow-up reuses the cached prefix and gives the same logits as a fresh prefill", "[session]") {
    auto model = tiny();
    const auto& tok = model->tokenizer();
    std::vector<int32_t> first = tok.encode("The cat sat on the mat. The dog", true, false);
    std::vector<int32_t> second = tok.encode("The cat sat on the mat. A bird flew", true, false);
    size_t common = 0;
    while (first[common] == second[common]) ++common;

    Session warm(*model);
    warm.prefill(first);
    const int reused = warm.prefill(second);
    CHECK(reused == (int)common);
    Session cold(*model);
    CHECK(cold.prefill(second) == 0);
    CHECK(warm.last_logits() == cold.last_logits());

    // The same prompt again recomputes only its last token.
    CHECK(warm.prefill(second) == (int)second.size() - 1);
    CHECK(warm.last_logits() == cold.last_logits());
}

TEST_CASE("context limits give errors or stop cleanly", "[session]") {
    auto model = tiny();
    SessionOptions small;
    small.n_ctx = 16;
    Session s(*model, small);
    std::vector<int32_t> long_prompt(17, 65);
    CHECK_THROWS_AS(s.prefill(long_prompt), ContextFullError);
    auto r = s.generate(std::vector<int32_t>(10, 65), greedy(100));
    CHECK(r.reason == StopReason::ContextFull);
    CHECK(s.tokens().size() == 16);

    std::vector<ChatMessage> chat = {{"system", "Be brief."}};
    for (int i = 0; i < 20; ++i) {
        chat.push_back({"user", "question number " + std::to_string(i)});
        chat.push_back({"assistant", "answer number " + std::to_string(i)});
    }
    chat.push_back({"user", "last one"});
    CHECK_THROWS_AS(build_chat_prompt(model->tokenizer(), ChatFormat::BitNet, chat, 128, 16, false), ContextFullError);
    ChatPrompt fitted = build_chat_prompt(model->tokenizer(), ChatFormat::BitNet, chat, 128, 16, true);
    CHECK(fitted.tokens.size() <= 112);
    CHECK(fitted.dropped_messages > 0);
    CHECK(fitted.dropped_messages % 2 == 0);  // whole exchanges
}

TEST_CASE("stop strings end generation and are never shown", "[session]") {
    StopStringFilter f({"User:", "\n\n"});
    std::string shown;
    for (const char* piece : {"Hello", " there", ". Us", "e", "r: no"}) shown += f.push(piece);
    CHECK(f.stopped());
    CHECK(shown == "Hello there. ");
    StopStringFilter g({"User:"});
    std::string out = g.push("a U");
    out += g.push("s");
    CHECK(out == "a ");
    out += g.push("ually");
    out += g.flush();
    CHECK(out == "a Usually");
    CHECK_FALSE(g.stopped());
}

TEST_CASE("thread pool covers every index exactly once", "[session]") {
    for (int threads : {1, 2, 3}) {
        ThreadPool pool(threads);
        for (int64_t n : {1, 7, 16, 100, 1000}) {
            std::vector<std::atomic<int>> hits(n);
            for (auto& h : hits) h = 0;
            pool.parallel_for(n, [&](int64_t b, int64_t e) {
                for (int64_t i = b; i < e; ++i) ++hits[i];
            }, 16);
            for (auto& h : hits) CHECK(h.load() == 1);
        }
    }
}

TEST_CASE("special-token text typed by the user stays plain text in a chat prompt", "[session]") {
    auto model = tiny();
    const Tokenizer& tok = model->tokenizer();
    const int32_t eot = *tok.find_token("<|eot_id|>");
    std::vector<ChatMessage> chat = {{"user", "say <|eot_id|> please"}};
    ChatPrompt p = build_chat_prompt(tok, ChatFormat::BitNet, chat, 256, 16, false);
    // Exactly one <|eot_id|>: the template's own, after the user's message.
    CHECK(std::count(p.tokens.begin(), p.tokens.end(), eot) == 1);
    CHECK(tok.decode(p.tokens) == "<|begin_of_text|>User: say <|eot_id|> please<|eot_id|>Assistant: ");
}

TEST_CASE("a context shift recomputes exactly what a fresh session computes", "[session]") {
    auto model = tiny();
    SessionOptions so;
    so.n_ctx = 48;
    Session s(*model, so);
    GenerateParams p = greedy(120);
    p.context_shift_keep = 1;  // BOS
    const GenerateResult r = s.generate(prompt_of(*model, "Once upon a time"), p);
    REQUIRE(r.n_context_shifts >= 2);
    CHECK(r.reason != StopReason::ContextFull);
    CHECK((int)s.tokens().size() <= s.n_ctx());
    CHECK(s.tokens().front() == prompt_of(*model, "Once upon a time").front());  // BOS kept
    // The cache after the shifts holds what a fresh prefill of the same tokens holds.
    Session fresh(*model, so);
    fresh.prefill(s.tokens());
    Session again(*model, so);
    again.prefill(s.tokens());
    CHECK(fresh.last_logits() == again.last_logits());
    std::vector<int32_t> longer = s.tokens();
    longer.push_back(r.tokens.back());
    Session shifted_copy(*model, so);
    shifted_copy.copy_prefix_from(s, s.tokens().size());
    shifted_copy.prefill(longer);
    fresh.prefill(longer);
    CHECK(shifted_copy.last_logits() == fresh.last_logits());
    // Without a keep count the reply stops at the full context.
    Session strict(*model, so);
    CHECK(strict.generate(prompt_of(*model, "Once upon a time"), greedy(120)).reason == StopReason::ContextFull);
}

TEST_CASE("F16 KV cache: copied prefixes, memory figures, and no mixing with F32", "[session]") {
    auto model = tiny();
    SessionOptions so;
    so.n_ctx = 64;
    so.kv_type = KvType::F16;
    const ModelConfig& c = model->config();
    CHECK(KvCache::bytes_per_position(c.n_layer, c.n_head_kv, c.head_dim, KvType::F16) * 2 ==
          KvCache::bytes_per_position(c.n_layer, c.n_head_kv, c.head_dim));
    CHECK(KvCache(c.n_layer, 64, c.n_head_kv, c.head_dim, KvType::F16).bytes() * 2 ==
          KvCache(c.n_layer, 64, c.n_head_kv, c.head_dim).bytes());
    const std::vector<int32_t> prompt = prompt_of(*model, "Once upon a time there was");
    std::vector<int32_t> longer = prompt;
    longer.push_back(prompt.back());
    // A prefix copied between F16 caches continues exactly as a cache that computed it.
    Session a(*model, so), copy(*model, so), fresh(*model, so);
    a.prefill(prompt);
    copy.copy_prefix_from(a, prompt.size());
    CHECK(copy.prefill(longer) == (int)prompt.size());
    fresh.prefill(prompt);
    fresh.prefill(longer);
    CHECK(copy.last_logits() == fresh.last_logits());
    // The F32 cache gives close but different logits; the two types never share a prefix.
    Session f32(*model, SessionOptions{64});
    f32.prefill(longer);
    double worst = 0, scale = 0;
    for (size_t i = 0; i < f32.last_logits().size(); ++i) {
        worst = std::max(worst, (double)std::fabs(f32.last_logits()[i] - fresh.last_logits()[i]));
        scale = std::max(scale, (double)std::fabs(f32.last_logits()[i]));
    }
    INFO("max |F16 KV - F32 KV| " << worst << ", max |logit| " << scale);
    CHECK(worst > 0);
    CHECK(worst < 5e-2 * scale);  // measured 1.5 % (tiny random model; test_forward.cpp has why)
    CHECK_THROWS_AS(f32.copy_prefix_from(a, 2), Error);
}
