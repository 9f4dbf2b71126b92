// exec::parallel_for: every index once, on at most the threads asked for (never more than
// there are indices), and the first failure rethrown on the calling thread.
#include "exec/parallel_for.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "strata/error.hpp"

namespace strata {
namespace {

TEST(ParallelFor, VisitsEveryIndexExactlyOnce) {
  for (const int threads : {1, 2, 3, 8}) {
    for (const std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{1000}}) {
      std::vector<std::atomic<int>> visits(count);
      exec::parallel_for(count, threads, [&](std::size_t i, int) { ++visits[i]; });
      for (std::size_t i = 0; i < count; ++i)
        ASSERT_EQ(visits[i], 1) << "index " << i << " of " << count << " on " << threads << " threads";
    }
  }
}

TEST(ParallelFor, WorkersAreNumberedBelowTheThreadsAndTheCallerIsWorkerZero) {
  std::mutex m;
  std::set<int> workers;
  std::set<std::thread::id> thread_ids;
  std::thread::id caller_as_worker_0;
  exec::parallel_for(200, 4, [&](std::size_t, int worker) {
    std::lock_guard lock(m);
    workers.insert(worker);
    thread_ids.insert(std::this_thread::get_id());
    if (worker == 0) caller_as_worker_0 = std::this_thread::get_id();
  });
  ASSERT_FALSE(workers.empty());
  EXPECT_GE(*workers.begin(), 0);
  EXPECT_LT(*workers.rbegin(), 4);
  EXPECT_LE(thread_ids.size(), 4u);
  if (workers.count(0)) {
    EXPECT_EQ(caller_as_worker_0, std::this_thread::get_id());
  }
}

TEST(ParallelFor, MoreThreadsThanIndicesStartsNoIdleWorkers) {
  std::mutex m;
  std::set<int> workers;
  std::vector<std::atomic<int>> visits(3);
  exec::parallel_for(3, 16, [&](std::size_t i, int worker) {
    ++visits[i];
    std::lock_guard lock(m);
    workers.insert(worker);
  });
  for (auto& v : visits) EXPECT_EQ(v, 1);
  EXPECT_LT(*workers.rbegin(), 3) << "worker numbers must stay below the number of indices";
}

TEST(ParallelFor, ZeroOrNegativeThreadsStillRunOnTheCaller) {
  for (const int threads : {0, -3}) {
    std::vector<int> visits(5, 0);  // one thread only: no atomics needed
    exec::parallel_for(5, threads, [&](std::size_t i, int worker) {
      EXPECT_EQ(worker, 0);
      ++visits[i];
    });
    EXPECT_EQ(visits, std::vector<int>(5, 1)) << threads << " threads";
  }
}

TEST(ParallelFor, TheFailureIsRethrownOnTheCallerWithItsTypeAndMessage) {
  try {
    exec::parallel_for(100, 4, [](std::size_t i, int) {
      if (i == 37) throw Error("file.tif", "chunk 37 is corrupt");
    });
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.path(), "file.tif");
    EXPECT_EQ(e.cause(), "chunk 37 is corrupt");
  }
  EXPECT_THROW(exec::parallel_for(10, 3, [](std::size_t i, int) {
                 if (i == 9) throw std::out_of_range("nine");
               }),
               std::out_of_range);
}

TEST(ParallelFor, OnlyOneOfSeveralFailuresIsRethrown) {
  try {
    exec::parallel_for(64, 4, [](std::size_t i, int) { throw std::runtime_error("index " + std::to_string(i)); });
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("index ", 0), 0u) << e.what();
  }
}

TEST(ParallelFor, AFailureStopsTheRemainingIndices) {
  // One thread takes the indices in order: nothing after the failing one runs.
  std::vector<int> visited;
  EXPECT_THROW(exec::parallel_for(100, 1, [&](std::size_t i, int) {
                 visited.push_back(static_cast<int>(i));
                 if (i == 10) throw std::runtime_error("stop");
               }),
               std::runtime_error);
  EXPECT_EQ(visited.size(), 11u);
}

}  // namespace
}  // namespace strata
