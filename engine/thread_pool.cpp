#include "engine/thread_pool.h"

#include <algorithm>

namespace tern {

ThreadPool::ThreadPool(int n_threads) : n_threads_(std::max(1, n_threads)) {
    for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this, i] { worker_main(i); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
}

void ThreadPool::run_range(int index) {
    // Split [0, n) into n_threads_ ranges of whole granules.
    const int64_t granules = (job_n_ + job_granule_ - 1) / job_granule_;
    const int64_t per = granules / n_threads_, extra = granules % n_threads_;
    const int64_t g0 = index * per + std::min<int64_t>(index, extra);
    const int64_t g1 = g0 + per + (index < extra ? 1 : 0);
    const int64_t begin = std::min(job_n_, g0 * job_granule_);
    const int64_t end = std::min(job_n_, g1 * job_granule_);
    if (begin < end) (*job_)(begin, end);
}

void ThreadPool::worker_main(int index) {
    uint64_t seen = 0;
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
            if (stopping_) return;
            seen = generation_;
        }
        run_range(index);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (--pending_ == 0) done_.notify_one();
        }
    }
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn,
                              int64_t granule) {
    if (n <= 0) return;
    if (n_threads_ == 1 || n <= granule) {
        fn(0, n);
        return;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        job_ = &fn;
        job_n_ = n;
        job_granule_ = std::max<int64_t>(1, granule);
        pending_ = n_threads_ - 1;
        ++generation_;
    }
    wake_.notify_all();
    run_range(0);
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return pending_ == 0; });
    job_ = nullptr;
}

}  // namespace tern
