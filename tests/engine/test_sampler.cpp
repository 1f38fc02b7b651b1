#include "engine/chat/sampler.h"

#include "engine/error.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

using tern::Sampler;
using tern::SamplerParams;

namespace {

// Everything off: plain softmax sampling at temperature t.
SamplerParams plain(float t, uint64_t seed) {
    SamplerParams p;
    p.temperature = t;
    p.top_k = 0;
    p.top_p = 1.0f;
    p.min_p = 0.0f;
    p.repeat_penalty = 1.0f;
    p.seed = seed;
    return p;
}

std::vector<float> random_logits(size_t n, uint64_t seed) {
    tern::Xoshiro256 rng(seed);
    std::vector<float> v(n);
    for (auto& x : v) x = static_cast<float>(rng.uniform() * 20.0 - 10.0);
    return v;
}

int32_t argmax(const std::vector<float>& v) {
    return static_cast<int32_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

std::vector<double> softmax(const std::vector<float>& l, double t) {
    std::vector<double> p(l.size());
    double mx = *std::max_element(l.begin(), l.end()), sum = 0;
    for (size_t i = 0; i < l.size(); ++i) sum += p[i] = std::exp((l[i] - mx) / t);
    for (auto& x : p) x /= sum;
    return p;
}

std::vector<int32_t> draw(Sampler& s, const std::vector<float>& l, int n) {
    std::vector<int32_t> out;
    for (int i = 0; i < n; ++i) out.push_back(s.sample(l.data(), static_cast<int32_t>(l.size())));
    return out;
}

}  // namespace

TEST_CASE("PRNG matches the published xoshiro256** and splitmix64 streams", "[sampler]") {
    // xoshiro256** from state {1, 2, 3, 4}: first outputs worked out from the algorithm
    // (rotl(2 * 5, 7) * 9 = 11520; the second uses s1 = 0 after one step).
    auto x = tern::Xoshiro256::from_state(1, 2, 3, 4);
    CHECK(x.next() == 11520u);
    CHECK(x.next() == 0u);
    // Seed 0: splitmix64 from state 0 yields 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, ...;
    // the first output is rotl(0x6e789e6aa1b965f4 * 5, 7) * 9.
    const uint64_t s1 = 0x6e789e6aa1b965f4ULL * 5;
    const uint64_t expected = ((s1 << 7) | (s1 >> 57)) * 9;
    tern::Xoshiro256 a(0);
    CHECK(a.next() == expected);
    CHECK(expected == 0x99ec5f36cb75f2b4ULL);
    for (int i = 0; i < 1000; ++i) {
        const double u = a.uniform();
        REQUIRE(u >= 0.0);
        REQUIRE(u < 1.0);
    }
}

TEST_CASE("greedy picks the argmax, lowest id on ties", "[sampler]") {
    Sampler s(plain(0.0f, 1));
    const std::vector<float> l = {0.1f, 3.0f, -1.0f, 2.9f, 3.0f};
    CHECK(s.sample(l.data(), 5) == 1);
    Sampler neg(plain(-1.0f, 1));
    CHECK(neg.sample(l.data(), 5) == 1);
}

TEST_CASE("same seed gives the same sequence, a different seed a different one", "[sampler]") {
    const auto l = random_logits(1000, 7);
    std::vector<float> flat(1000, 0.0f);  // uniform: maximal spread between streams
    Sampler a(plain(1.0f, 42)), b(plain(1.0f, 42)), c(plain(1.0f, 43));
    CHECK(draw(a, l, 100) == draw(b, l, 100));
    CHECK(draw(a, flat, 100) == draw(b, flat, 100));
    Sampler a2(plain(1.0f, 42));
    CHECK(draw(a2, flat, 100) != draw(c, flat, 100));
}

TEST_CASE("reset replays the stream for a fixed seed; seed 0 draws a random seed", "[sampler]") {
    std::vector<float> flat(1000, 0.0f);
    Sampler a(plain(1.0f, 99));
    const auto first = draw(a, flat, 50);
    a.reset();
    CHECK(draw(a, flat, 50) == first);
    CHECK(a.effective_seed() == 99);

    Sampler r(plain(1.0f, 0));
    CHECK(r.effective_seed() != 0);
    const auto seq = draw(r, flat, 20);
    for (int32_t t : seq) CHECK((t >= 0 && t < 1000));
}

TEST_CASE("top-k = 1 and a tiny top-p equal greedy", "[sampler]") {
    for (uint64_t row = 0; row < 20; ++row) {
        const auto l = random_logits(5000, 100 + row);
        SamplerParams k1 = plain(1.5f, row + 1);
        k1.top_k = 1;
        Sampler sk(k1);
        CHECK(sk.sample(l.data(), 5000) == argmax(l));

        SamplerParams p0 = plain(1.5f, row + 1);
        p0.top_p = 1e-6f;
        Sampler sp(p0);
        CHECK(sp.sample(l.data(), 5000) == argmax(l));
    }
}

TEST_CASE("top-k keeps only the k best of a full 128256 vocabulary", "[sampler]") {
    const auto l = random_logits(128256, 5);
    std::vector<float> sorted = l;
    std::sort(sorted.begin(), sorted.end(), std::greater<float>());
    const float kth = sorted[39];
    SamplerParams p;  // the defaults: top-k 40, top-p 0.95, min-p 0.05, temperature 0.8
    p.seed = 3;
    p.temperature = 5.0f;  // flatten so the draw actually roams over the 40
    p.min_p = 0.0f;
    Sampler s(p);
    for (int i = 0; i < 200; ++i) {
        const int32_t t = s.sample(l.data(), 128256);
        REQUIRE(t >= 0);
        REQUIRE(t < 128256);
        CHECK(l[static_cast<size_t>(t)] >= kth);
    }
}

TEST_CASE("top-p keeps the smallest prefix reaching the mass, with and without top-k", "[sampler]") {
    const size_t n = 5000;
    const auto l = random_logits(n, 21);
    std::vector<int32_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = static_cast<int32_t>(i);
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return l[a] > l[b]; });

    for (int top_k : {0, 2000}) {
        // Reference: sort everything, cut where the (top-k renormalised) mass reaches top_p.
        const size_t k = top_k > 0 ? static_cast<size_t>(top_k) : n;
        std::vector<float> kept(k);
        for (size_t i = 0; i < k; ++i) kept[i] = l[order[i]];
        const auto p = softmax(kept, 1.0);
        size_t prefix = 0;
        for (double cum = 0; prefix < k && cum < 0.5; ++prefix) cum += p[prefix];
        std::vector<char> allowed(n, 0);
        for (size_t i = 0; i < prefix; ++i) allowed[order[i]] = 1;
        INFO("top_k " << top_k << ", reference prefix " << prefix);
        REQUIRE(prefix > 64);  // the unsorted path must grow its sorted prefix at least once

        SamplerParams sp = plain(1.0f, 8);
        sp.top_k = top_k;
        sp.top_p = 0.5f;
        Sampler s(sp);
        bool beyond_first_chunk = false;
        for (int t : draw(s, l, 2000)) {
            REQUIRE(allowed[t]);
            const auto rank = std::find(order.begin(), order.end(), t) - order.begin();
            beyond_first_chunk = beyond_first_chunk || rank >= 64;
        }
        CHECK(beyond_first_chunk);
    }
}

TEST_CASE("top-k with a large k keeps exactly the k best", "[sampler]") {
    const auto l = random_logits(5000, 22);
    std::vector<float> sorted = l;
    std::sort(sorted.begin(), sorted.end(), std::greater<float>());
    SamplerParams p = plain(50.0f, 9);  // hot: spreads draws over the whole kept set
    p.top_k = 1000;                      // above n/16: the nth_element path
    Sampler s(p);
    for (int t : draw(s, l, 2000)) REQUIRE(l[static_cast<size_t>(t)] >= sorted[999]);
}

TEST_CASE("min-p drops tokens below min_p times the top probability", "[sampler]") {
    // Relative weights 1, 0.5, 0.09, 0.2: with min_p 0.1 token 2 must never appear.
    const std::vector<float> l = {0.0f, std::log(0.5f), std::log(0.09f), std::log(0.2f)};
    SamplerParams p = plain(1.0f, 11);
    p.min_p = 0.1f;
    Sampler s(p);
    int counts[4] = {0, 0, 0, 0};
    for (int t : draw(s, l, 3000)) counts[t]++;
    CHECK(counts[2] == 0);
    CHECK(counts[0] > 0);
    CHECK(counts[1] > 0);
    CHECK(counts[3] > 0);

    p.min_p = 0.3f;  // now token 3 (0.2) goes too
    Sampler s2(p);
    for (int t : draw(s2, l, 3000)) CHECK((t == 0 || t == 1));
}

TEST_CASE("repetition penalty changes the choice", "[sampler]") {
    SamplerParams p = plain(0.0f, 1);
    p.repeat_penalty = 1.2f;
    p.repeat_last_n = 2;

    SECTION("positive logits are divided") {
        Sampler s(p);
        const std::vector<float> l = {2.0f, 1.9f, 0.0f};
        CHECK(s.sample(l.data(), 3) == 0);
        s.accept(0);  // 2.0 / 1.2 = 1.67 < 1.9
        CHECK(s.sample(l.data(), 3) == 1);
        s.accept(2);
        s.accept(2);  // window of 2: token 0 has left it
        CHECK(s.sample(l.data(), 3) == 0);
        s.reset();
        CHECK(s.sample(l.data(), 3) == 0);
    }
    SECTION("negative logits are multiplied") {
        Sampler s(p);
        const std::vector<float> l = {-1.0f, -1.1f};
        s.accept(0);  // -1.0 * 1.2 = -1.2 < -1.1
        CHECK(s.sample(l.data(), 2) == 1);
    }
    SECTION("a token repeated in the window is penalised once") {
        Sampler s(p);
        const std::vector<float> l = {1.3f, 1.0f};
        s.accept(0);
        s.accept(0);  // 1.3 / 1.2 = 1.08 > 1.0; twice would be 0.90
        CHECK(s.sample(l.data(), 2) == 0);
    }
    SECTION("ids outside the vocabulary are ignored") {
        Sampler s(p);
        const std::vector<float> l = {1.0f, 0.5f};
        s.accept(7);
        s.accept(-3);
        CHECK(s.sample(l.data(), 2) == 0);
    }
}

namespace {

// True when, after `history` is accepted, the sampler's penalised logit of token 0 (logit
// `logit`) is exactly `expected`. Greedy breaks ties towards the lower id, so token 0 must beat a
// rival at `expected` and lose to one a single ulp above it; a third token, at -100, pads the row.
bool penalised_to(const SamplerParams& p, const std::vector<int32_t>& history, float logit, float expected) {
    auto winner = [&](float rival) {
        Sampler s(p);
        for (int32_t id : history) s.accept(id);
        const std::vector<float> l = {logit, rival, -100.0f};
        return s.sample(l.data(), 3);
    };
    return winner(expected) == 0 && winner(std::nextafter(expected, INFINITY)) == 1;
}

}  // namespace

TEST_CASE("frequency and presence penalties subtract count x frequency + presence", "[sampler]") {
    SamplerParams p = plain(0.0f, 1);
    p.frequency_penalty = 0.5f;
    p.presence_penalty = 0.25f;
    // Counts 0, 1 and 3 of token 0 in the window (token 2 fills it).
    CHECK(penalised_to(p, {2, 2}, 2.0f, 2.0f));
    CHECK(penalised_to(p, {0, 2}, 2.0f, 2.0f - (0.5f + 0.25f)));
    CHECK(penalised_to(p, {0, 2, 0, 0}, 2.0f, 2.0f - (3 * 0.5f + 0.25f)));
    CHECK(penalised_to(p, {0, 0, 0}, -1.0f, -1.0f - 1.75f));  // negative logits just shift too
    // Each alone.
    SamplerParams f = p;
    f.presence_penalty = 0.0f;
    CHECK(penalised_to(f, {0, 0, 0}, 2.0f, 0.5f));
    SamplerParams pr = p;
    pr.frequency_penalty = 0.0f;
    CHECK(penalised_to(pr, {0, 0, 0}, 2.0f, 1.75f));
    // Negative penalties raise a seen token.
    SamplerParams neg = p;
    neg.frequency_penalty = -0.5f;
    neg.presence_penalty = -1.0f;
    CHECK(penalised_to(neg, {0, 0, 0}, 2.0f, 4.5f));
    // After the repeat penalty (3 / 2 and -1 x 2), as llama.cpp orders them.
    SamplerParams both = p;
    both.repeat_penalty = 2.0f;
    CHECK(penalised_to(both, {0, 0, 0}, 3.0f, 1.5f - 1.75f));
    CHECK(penalised_to(both, {0, 0, 0}, -1.0f, -2.0f - 1.75f));
    // The window is the repeat penalty's: the last repeat_last_n accepted tokens.
    SamplerParams w = p;
    w.repeat_last_n = 3;
    CHECK(penalised_to(w, {0, 0, 0, 2, 2}, 2.0f, 2.0f - 0.75f));  // two of the three have left
    w.repeat_last_n = 0;
    CHECK(penalised_to(w, {0, 0, 0}, 2.0f, 2.0f));  // no window: no penalty
    // The same arithmetic as the shared definition output screening uses.
    CHECK(both.frequency_penalty == Sampler(both).penalty().frequency);
    CHECK(tern::LogitPenalty{2.0f, 0.5f, 0.25f}.apply(3.0f, 3) == 1.5f - 1.75f);
}

TEST_CASE("penalised_ids lists the window, one entry per occurrence, when any penalty is on", "[sampler]") {
    SamplerParams p = plain(0.0f, 1);
    p.repeat_last_n = 4;
    Sampler off(p);
    off.accept(3);
    CHECK(off.penalised_ids().empty());  // every penalty off
    for (int which = 0; which < 3; ++which) {
        SamplerParams q = p;
        if (which == 0) q.repeat_penalty = 1.1f;
        if (which == 1) q.frequency_penalty = 0.1f;
        if (which == 2) q.presence_penalty = -0.1f;
        Sampler s(q);
        for (int32_t id : {3, 5, 3}) s.accept(id);
        std::vector<int32_t> ids = s.penalised_ids();
        std::sort(ids.begin(), ids.end());
        CHECK(ids == std::vector<int32_t>{3, 3, 5});
    }
}

TEST_CASE("empirical distribution matches the softmax", "[sampler]") {
    const std::vector<float> l = {1.0f, 2.0f, 0.5f, -1.0f};
    const int n = 20000;
    for (float t : {1.0f, 0.5f}) {
        Sampler s(plain(t, 1234));
        int counts[4] = {0, 0, 0, 0};
        for (int tok : draw(s, l, n)) counts[tok]++;
        const auto p = softmax(l, t);
        for (int i = 0; i < 4; ++i) {
            INFO("temperature " << t << " token " << i << " expected " << p[i]);
            // Standard error is at most sqrt(0.25 / 20000) = 0.0035; 0.015 is over 4 sigma.
            CHECK(std::abs(counts[i] / double(n) - p[i]) < 0.015);
        }
    }
}

TEST_CASE("NaN and infinite logits are handled", "[sampler]") {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();

    SECTION("NaN is never chosen") {
        const std::vector<float> l = {nan, 1.0f, nan, 0.5f, -inf};
        Sampler g(plain(0.0f, 1));
        CHECK(g.sample(l.data(), 5) == 1);
        Sampler s(plain(1.0f, 2));
        for (int t : draw(s, l, 500)) CHECK((t == 1 || t == 3));
    }
    SECTION("all NaN or -inf returns 0") {
        const std::vector<float> l = {nan, -inf, nan};
        Sampler g(plain(0.0f, 1));
        CHECK(g.sample(l.data(), 3) == 0);
        SamplerParams p;
        p.seed = 5;
        Sampler s(p);  // defaults: every filter on
        CHECK(s.sample(l.data(), 3) == 0);
    }
    SECTION("+inf wins") {
        const std::vector<float> l = {1.0f, inf, 3.0f, inf};
        Sampler g(plain(0.0f, 1));
        CHECK(g.sample(l.data(), 4) == 1);
        SamplerParams p;
        p.seed = 6;
        Sampler s(p);
        int counts[4] = {0, 0, 0, 0};
        for (int t : draw(s, l, 400)) counts[t]++;
        CHECK(counts[0] + counts[2] == 0);
    }
    SECTION("extreme temperatures stay finite") {
        const std::vector<float> l = {1.0f, 2.0f, -3.0f};
        Sampler cold(plain(1e-30f, 1));
        for (int t : draw(cold, l, 50)) CHECK(t == 1);
        Sampler hot(plain(1e30f, 1));
        for (int t : draw(hot, l, 50)) CHECK((t >= 0 && t < 3));
    }
}

TEST_CASE("bad sampler input throws", "[sampler]") {
    SamplerParams p;
    p.repeat_penalty = 0.0f;
    CHECK_THROWS_AS(Sampler(p), tern::Error);
    p.repeat_penalty = 1.0f;
    p.temperature = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_AS(Sampler(p), tern::Error);
    p.temperature = 0.8f;
    for (float bad : {2.01f, -2.5f, std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
        INFO("penalty " << bad);
        SamplerParams f = p;
        f.frequency_penalty = bad;
        CHECK_THROWS_WITH(Sampler(f), Catch::Contains("frequency_penalty must be a number from -2 to 2"));
        SamplerParams pr = p;
        pr.presence_penalty = bad;
        CHECK_THROWS_WITH(Sampler(pr), Catch::Contains("presence_penalty must be a number from -2 to 2"));
    }
    p.frequency_penalty = -2.0f;  // the range's ends are allowed
    p.presence_penalty = 2.0f;
    CHECK_NOTHROW(Sampler(p));
    Sampler s(plain(1.0f, 1));
    const float x = 0.0f;
    CHECK_THROWS_AS(s.sample(nullptr, 4), tern::Error);
    CHECK_THROWS_AS(s.sample(&x, 0), tern::Error);
}
