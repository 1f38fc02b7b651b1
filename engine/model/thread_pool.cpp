#include "engine/model/thread_pool.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <exception>

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#include <immintrin.h>
#define TERN_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define TERN_CPU_RELAX() __asm__ __volatile__("yield")
#else
#define TERN_CPU_RELAX() ((void)0)
#endif

namespace tern {
namespace {

// Chunks per thread: enough that a slow thread's last chunk is small, few enough that handing
// them out (one atomic add each) stays negligible.
constexpr int64_t kChunksPerThread = 8;
// Pause instructions before a waiting thread starts yielding (a few microseconds).
constexpr int kPauseSpins = 2000;

}  // namespace

ThreadPool::ThreadPool(int n_threads) : n_threads_(std::max(1, n_threads)) {
    if (const char* env = std::getenv("TERN_SPIN_US")) spin_us_.store(std::atoi(env));
    for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this] { worker_main(); });
}

ThreadPool::~ThreadPool() {
    stopping_.store(true, std::memory_order_seq_cst);
    generation_.fetch_add(1, std::memory_order_seq_cst);
    {
        std::lock_guard<std::mutex> lock(mutex_);
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
}

void ThreadPool::run_chunks() {
    for (;;) {
        const int64_t c = next_chunk_.fetch_add(1, std::memory_order_relaxed);
        if (c >= job_chunks_) return;
        const int64_t begin = c * job_chunk_;
        (*job_)(begin, std::min(job_n_, begin + job_chunk_));
    }
}

// Spins, then sleeps, until the generation differs from `seen`. Returns false when stopping.
bool ThreadPool::wait_for_job(uint64_t seen) {
    const auto spin_until = std::chrono::steady_clock::now() +
                            std::chrono::microseconds(spin_us_.load(std::memory_order_relaxed));
    for (int i = 0;; ++i) {
        if (generation_.load(std::memory_order_acquire) != seen) return !stopping_.load(std::memory_order_acquire);
        // Pause-spin first; then yield between checks, so that on a busy machine a thread that
        // shares this core (the caller, or another program) runs instead of our spinning.
        if (i < kPauseSpins) {
            TERN_CPU_RELAX();
        } else {
            std::this_thread::yield();
            if ((i & 15) == 15 && std::chrono::steady_clock::now() >= spin_until) break;
        }
    }
    // Announce the sleep before re-checking: the caller bumps generation_ and then reads
    // sleepers_ (both seq_cst), so either it sees us and notifies under the mutex, or we see
    // its new generation here. No wake-up is lost.
    std::unique_lock<std::mutex> lock(mutex_);
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    wake_.wait(lock, [&] { return generation_.load(std::memory_order_seq_cst) != seen; });
    sleepers_.fetch_sub(1, std::memory_order_relaxed);
    return !stopping_.load(std::memory_order_acquire);
}

void ThreadPool::worker_main() {
    uint64_t seen = 0;
    for (;;) {
        if (!wait_for_job(seen)) return;
        seen = generation_.load(std::memory_order_acquire);
        run_chunks();
        busy_.fetch_sub(1, std::memory_order_acq_rel);
    }
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn,
                              int64_t granule) {
    if (n <= 0) return;
    granule = std::max<int64_t>(1, granule);
    if (n_threads_ == 1 || n <= granule) {
        fn(0, n);
        return;
    }
    // Chunk size: a multiple of the granule, about kChunksPerThread chunks per thread.
    const int64_t granules = (n + granule - 1) / granule;
    const int64_t per_chunk = std::max<int64_t>(1, granules / (n_threads_ * kChunksPerThread));
    job_ = &fn;
    job_n_ = n;
    job_chunk_ = per_chunk * granule;
    job_chunks_ = (n + job_chunk_ - 1) / job_chunk_;
    next_chunk_.store(0, std::memory_order_relaxed);
    busy_.store(n_threads_ - 1, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_seq_cst);  // publishes the job (release)
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
        { std::lock_guard<std::mutex> lock(mutex_); }  // a worker between its check and wait() holds it
        wake_.notify_all();
    }
    std::exception_ptr error;
    try {
        run_chunks();
    } catch (...) {
        error = std::current_exception();  // workers still use fn: wait for them first
        next_chunk_.store(job_chunks_, std::memory_order_relaxed);
    }
    // Wait for the workers: they may still be inside their last chunk (or not yet awake).
    for (int i = 0; busy_.load(std::memory_order_acquire) != 0; ++i) {
        if (i < kPauseSpins) TERN_CPU_RELAX();
        else std::this_thread::yield();  // a worker was descheduled: give the core back
    }
    job_ = nullptr;
    if (error) std::rethrow_exception(error);
}

}  // namespace tern
