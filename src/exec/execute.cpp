#include "exec/execute.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace strata::exec {

void execute(const Driver& driver, const RankPlan& plan, const std::function<View(const ChunkRead&)>& destination,
             int threads) {
  const auto& reads = plan.reads;
  const auto& chunks = driver.chunks().chunks;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_failure;
  std::mutex failure_mutex;

  auto worker = [&] {
    while (!failed.load(std::memory_order_relaxed)) {
      const std::size_t i = next.fetch_add(1);
      if (i >= reads.size()) return;
      const ChunkRead& read = reads[i];
      try {
        driver.read_chunk(chunks[read.chunk], read.region, destination(read));
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!first_failure) first_failure = std::current_exception();
        failed = true;
      }
    }
  };

  const int n = std::clamp<int>(threads, 1, static_cast<int>(std::max<std::size_t>(reads.size(), 1)));
  std::vector<std::thread> pool;
  pool.reserve(n - 1);
  for (int t = 1; t < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (first_failure) std::rethrow_exception(first_failure);
}

}  // namespace strata::exec
