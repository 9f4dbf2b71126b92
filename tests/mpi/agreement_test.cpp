// mpi::agreed / Comm::agree: when any rank fails, every rank throws the same strata::Error
// (the lowest failing rank's); when none fails, none throws.
#include <stdexcept>
#include <string>

#include "mpi_test.hpp"
#include "strata/error.hpp"

namespace strata {
namespace {

using testing::world;

struct Caught {
  bool thrown = false;
  std::string path, cause, what;
};

template <typename Step>
Caught run_agreed(Step&& step) {
  Caught c;
  try {
    mpi::agreed(world(), step);
  } catch (const Error& e) {
    c = {true, e.path(), e.cause(), e.what()};
  } catch (const std::exception& e) {
    c = {true, "", "not a strata::Error: ", e.what()};
  }
  return c;
}

// Expects `c` to be the same on every rank: compared with rank 0's, broadcast.
void expect_same_on_every_rank(const Caught& c) {
  EXPECT_EQ(world().broadcast(c.what, 0), c.what);
  EXPECT_EQ(world().broadcast(c.path, 0), c.path);
  EXPECT_EQ(world().broadcast(c.cause, 0), c.cause);
}

class Agreement : public testing::MpiTest {};

TEST_F(Agreement, NoRankFailsNoRankThrows) {
  EXPECT_NO_THROW(world().agree(nullptr));
  int calls = 0;
  EXPECT_NO_THROW(mpi::agreed(world(), [&] { ++calls; }));
  EXPECT_EQ(calls, 1);
}

TEST_F(Agreement, EachRankInTurnFailsAndEveryRankThrowsItsError) {
  for (int k = 0; k < ranks(); ++k) {
    SCOPED_TRACE("rank " + std::to_string(k) + " fails");
    const Caught c = run_agreed([&] {
      if (rank() == k) throw Error("/data/file-" + std::to_string(k) + ".tif", "cause on rank " + std::to_string(k));
    });
    EXPECT_TRUE(c.thrown);
    EXPECT_EQ(c.path, "/data/file-" + std::to_string(k) + ".tif");
    EXPECT_EQ(c.cause, "cause on rank " + std::to_string(k));
    EXPECT_EQ(c.what, "/data/file-" + std::to_string(k) + ".tif: cause on rank " + std::to_string(k));
    expect_same_on_every_rank(c);
  }
}

TEST_F(Agreement, TheLowestFailingRanksErrorWins) {
  for (int k = 0; k < ranks(); ++k) {
    SCOPED_TRACE("ranks " + std::to_string(k) + " and above fail");
    const Caught c = run_agreed([&] {
      if (rank() >= k) throw Error("file-" + std::to_string(rank()), "failed");
    });
    EXPECT_TRUE(c.thrown);
    EXPECT_EQ(c.path, "file-" + std::to_string(k));
    expect_same_on_every_rank(c);
  }
}

TEST_F(Agreement, AnErrorWithoutAPathKeepsNone) {
  const Caught c = run_agreed([&] {
    if (rank() == ranks() - 1) throw Error("", "usage: no file named");
  });
  EXPECT_TRUE(c.thrown);
  EXPECT_EQ(c.path, "");
  EXPECT_EQ(c.cause, "usage: no file named");
  EXPECT_EQ(c.what, "usage: no file named");
}

TEST_F(Agreement, OtherStandardExceptionsAreCarriedAsErrorsWithTheirMessage) {
  for (int k = 0; k < ranks(); ++k) {
    SCOPED_TRACE("rank " + std::to_string(k) + " fails");
    const Caught c = run_agreed([&] {
      if (rank() == k) throw std::out_of_range("index 7 out of range on rank " + std::to_string(k));
    });
    EXPECT_TRUE(c.thrown);
    EXPECT_EQ(c.path, "");
    EXPECT_EQ(c.cause, "index 7 out of range on rank " + std::to_string(k));
    expect_same_on_every_rank(c);
  }
}

TEST_F(Agreement, ANonStandardExceptionStillFailsEveryRankAlike) {
  const Caught c = run_agreed([&] {
    if (rank() == 0) throw 42;
  });
  EXPECT_TRUE(c.thrown);
  EXPECT_FALSE(c.cause.empty());
  expect_same_on_every_rank(c);
}

TEST_F(Agreement, ALongMessageArrivesWhole) {
  std::string cause(300000, 'x');
  for (std::size_t i = 0; i < cause.size(); i += 97) cause[i] = static_cast<char>('a' + i % 26);
  const Caught c = run_agreed([&] {
    if (rank() == ranks() / 2) throw Error("long.zarr", cause);
  });
  EXPECT_EQ(c.cause, cause);
  EXPECT_EQ(c.path, "long.zarr");
}

TEST_F(Agreement, RanksStayInStepAfterAFailure) {
  for (int round = 0; round < 3; ++round) {
    const Caught c = run_agreed([&] {
      if (rank() == round % ranks()) throw Error("f", "round " + std::to_string(round));
    });
    EXPECT_EQ(c.cause, "round " + std::to_string(round));
    // The next collective pairs up with the same one on every rank.
    EXPECT_EQ(world().broadcast(rank() == 0 ? "after round " + std::to_string(round) : "", 0),
              "after round " + std::to_string(round));
  }
}

}  // namespace
}  // namespace strata
