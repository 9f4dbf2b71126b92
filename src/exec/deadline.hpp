#pragma once
// A deadline for a call that may never return: a collective call of a third-party library
// that failed on some ranks only (HDF5's close of a file whose metadata cannot be written
// waits in a barrier for ranks that are elsewhere inside the library). strata cannot reach
// into the call, so when it overstays, this rank says why and exits; the launcher then ends
// the others.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace strata::exec {

class Deadline {
 public:
  // Unless destroyed within `limit`, calls `on_expiry` (on another thread: it must only print
  // and remove files) and ends the process with `status` (std::_Exit: no destructors, no
  // MPI_Finalize, which would wait for the ranks that hang).
  Deadline(std::chrono::milliseconds limit, std::function<void()> on_expiry, int status);
  ~Deadline();
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable done_;
  bool finished_ = false;
  std::thread watcher_;
};

}  // namespace strata::exec
