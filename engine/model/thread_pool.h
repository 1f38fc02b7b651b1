#pragma once
// A persistent pool of worker threads. Threads are created once per model, not per token:
// creating threads costs tens of microseconds, a decode step of a small model less than that.
//
// Hand-off is by atomics, not a mutex: a decode step runs ~200 parallel loops of 20-200 µs
// each, and waking a sleeping thread through the kernel costs 5-50 µs, so between jobs workers
// spin (with a pause instruction) for a while before they go to sleep on a condition variable.
// The caller spins too while it waits for the last chunk. Work is handed out in chunks through
// an atomic counter, so a thread that was descheduled (a busy machine) does not hold up the rest.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tern {

class ThreadPool {
public:
    // n_threads counts the calling thread too: ThreadPool(1) starts no workers.
    explicit ThreadPool(int n_threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return n_threads_; }

    // Calls fn(begin, end) on disjoint contiguous ranges covering [0, n) from all threads (the
    // caller included) and returns when all are done. Ranges are multiples of `granule` except
    // the last, so callers can keep chunks cache-line or block aligned; there are a few per
    // thread, handed out first come first served. Not re-entrant: call from one thread at a time.
    void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn,
                      int64_t granule = 1);

    // How long workers spin for a new job before sleeping (default 1000 µs; 0 sleeps at once).
    void set_spin_microseconds(int us) { spin_us_.store(us, std::memory_order_relaxed); }

private:
    void worker_main();
    void run_chunks();
    bool wait_for_job(uint64_t seen);

    int n_threads_;
    std::vector<std::thread> workers_;
    std::atomic<int> spin_us_{1000};

    // The current job; written by the caller before it bumps generation_ (release), read by
    // workers after they see the new generation (acquire).
    const std::function<void(int64_t, int64_t)>* job_ = nullptr;
    int64_t job_n_ = 0, job_chunk_ = 1, job_chunks_ = 0;

    std::atomic<uint64_t> generation_{0};
    std::atomic<int64_t> next_chunk_{0};
    std::atomic<int> busy_{0};        // workers that have not finished the current job
    std::atomic<int> sleepers_{0};    // workers blocked (or about to block) on wake_
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
};

}  // namespace tern
