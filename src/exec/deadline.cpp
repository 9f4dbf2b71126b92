#include "exec/deadline.hpp"

#include <cstdlib>

namespace strata::exec {

Deadline::Deadline(std::chrono::milliseconds limit, std::function<void()> on_expiry, int status)
    : watcher_([this, limit, on_expiry = std::move(on_expiry), status] {
        std::unique_lock lock(mutex_);
        if (done_.wait_for(lock, limit, [this] { return finished_; })) return;
        on_expiry();
        std::_Exit(status);
      }) {}

Deadline::~Deadline() {
  {
    const std::lock_guard lock(mutex_);
    finished_ = true;
  }
  done_.notify_one();
  watcher_.join();
}

}  // namespace strata::exec
