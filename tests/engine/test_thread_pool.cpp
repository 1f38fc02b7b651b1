// The persistent thread pool (engine/model/thread_pool.h): every index once, across many quick jobs,
// through the spin -> sleep -> wake transitions, and with an exception in the caller's share.
#include "engine/model/thread_pool.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace tern;

TEST_CASE("thread pool: thousands of back-to-back jobs of mixed sizes", "[session]") {
    ThreadPool pool(3);
    std::vector<std::atomic<int>> hits(4096);
    for (int job = 0; job < 3000; ++job) {
        const int64_t n = 1 + (job * 37) % 4096, granule = 1 + job % 20;
        for (int64_t i = 0; i < n; ++i) hits[i] = 0;
        // Catch2's assertions are not thread-safe: the workers only count, the test thread checks.
        std::atomic<int> misaligned{0};
        pool.parallel_for(n, [&](int64_t b, int64_t e) {
            if (b % granule != 0) misaligned.fetch_add(1, std::memory_order_relaxed);
            for (int64_t i = b; i < e; ++i) hits[i].fetch_add(1, std::memory_order_relaxed);
        }, granule);
        REQUIRE(misaligned.load() == 0);
        int64_t bad = 0;
        for (int64_t i = 0; i < n; ++i) bad += hits[i].load() != 1;
        REQUIRE(bad == 0);
    }
}

TEST_CASE("thread pool: sleeping workers wake up for the next job", "[session]") {
    for (int spin_us : {0, 50}) {
        ThreadPool pool(2);
        pool.set_spin_microseconds(spin_us);
        for (int round = 0; round < 5; ++round) {
            std::this_thread::sleep_for(std::chrono::milliseconds(3));  // longer than the spin
            std::atomic<int64_t> sum{0};
            pool.parallel_for(1000, [&](int64_t b, int64_t e) {
                for (int64_t i = b; i < e; ++i) sum += i;
            }, 10);
            CHECK(sum.load() == 999 * 1000 / 2);
        }
    }
}

TEST_CASE("thread pool: an exception in a chunk reaches the caller, the pool stays usable", "[session]") {
    ThreadPool pool(2);
    // Thrown on the calling thread's chunk (chunk 0 always runs there first or is taken by a
    // worker; throw from whichever thread gets index 0 only if it is the caller).
    const std::thread::id caller = std::this_thread::get_id();
    bool threw = false;
    try {
        pool.parallel_for(64, [&](int64_t b, int64_t) {
            if (std::this_thread::get_id() == caller && b >= 0) throw std::runtime_error("boom");
        }, 1);
    } catch (const std::runtime_error&) {
        threw = true;
    }
    CHECK(threw);
    std::atomic<int> count{0};
    pool.parallel_for(100, [&](int64_t b, int64_t e) { count += (int)(e - b); }, 1);
    CHECK(count.load() == 100);
}
