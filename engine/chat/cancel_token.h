#pragma once
// Cancellation of one request. The token is made by whoever starts the request and copies share
// one flag, so a cancel sent before the request starts running (still queued on another thread)
// is seen the moment it starts: nothing resets the flag. A default token is never cancelled
// unless cancel() is called on it or on one of its copies.
#include <atomic>
#include <memory>

namespace tern {

class CancelToken {
public:
    CancelToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
    void cancel() const { flag_->store(true, std::memory_order_relaxed); }  // thread-safe
    bool cancelled() const { return flag_->load(std::memory_order_relaxed); }

private:
    std::shared_ptr<std::atomic<bool>> flag_;
};

}  // namespace tern
