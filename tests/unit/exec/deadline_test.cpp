// exec::Deadline: met, nothing happens; overstayed, the process says why and exits with the given status.
#include "exec/deadline.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>

namespace strata::exec {
namespace {

using namespace std::chrono_literals;

TEST(Deadline, MetDoesNothing) {
  bool expired = false;
  {
    const Deadline deadline(10s, [&] { expired = true; }, 2);
  }
  EXPECT_FALSE(expired);
}

TEST(DeadlineDeathTest, OverstayedSaysWhyAndExits) {
  EXPECT_EXIT(
      {
        const Deadline deadline(20ms, [] { std::fputs("strata: error: OUT: gave up\n", stderr); }, 2);
        std::this_thread::sleep_for(10s);  // a call that never returns
      },
      ::testing::ExitedWithCode(2), "strata: error: OUT: gave up");
}

}  // namespace
}  // namespace strata::exec
