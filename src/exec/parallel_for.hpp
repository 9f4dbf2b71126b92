#pragma once
// A loop over indices on a few threads, for per-rank work that is not a plan's reads (an
// output's chunks, say): each thread takes the next index in order; the first failure
// stops the remaining indices and is rethrown on the calling thread.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace strata::exec {

// Calls body(index, worker) for every index in [0, count) on up to `threads` threads
// (never more than `count`); `worker` in [0, threads) tells a thread's own scratch memory
// apart. The calling thread is worker 0.
template <typename Body>
void parallel_for(std::size_t count, int threads, Body&& body) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_failure;
  std::mutex failure_mutex;
  auto worker = [&](int id) {
    while (!failed.load(std::memory_order_relaxed)) {
      const std::size_t i = next.fetch_add(1);
      if (i >= count) return;
      try {
        body(i, id);
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!first_failure) first_failure = std::current_exception();
        failed = true;
      }
    }
  };
  const int n = std::max(1, count < static_cast<std::size_t>(std::max(threads, 0)) ? static_cast<int>(count) : threads);
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(n - 1));
  for (int t = 1; t < n; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (auto& t : pool) t.join();
  if (first_failure) std::rethrow_exception(first_failure);
}

}  // namespace strata::exec
