#pragma once
// A persistent pool of worker threads. Threads are created once per model, not per token:
// creating threads costs tens of microseconds, a decode step of a small model less than that.
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

    // Calls fn(begin, end) on disjoint contiguous ranges covering [0, n), one range per thread
    // (the caller takes the first), and returns when all are done. Ranges are multiples of
    // `granule` except the last, so callers can keep chunks cache-line or block aligned.
    // Not re-entrant: call from one thread at a time.
    void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn,
                      int64_t granule = 1);

private:
    void worker_main(int index);
    void run_range(int index);

    int n_threads_;
    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    uint64_t generation_ = 0;  // bumped for each job; workers run when it changes
    int pending_ = 0;          // workers still busy with the current job
    bool stopping_ = false;
    // The current job, valid while pending_ > 0.
    const std::function<void(int64_t, int64_t)>* job_ = nullptr;
    int64_t job_n_ = 0;
    int64_t job_granule_ = 1;
};

}  // namespace tern
