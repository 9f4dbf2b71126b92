// strata::Layout: every rank's box, for each kind of layout, without communication.
#include "strata/layout.hpp"

#include <gtest/gtest.h>

#include "strata/error.hpp"

namespace strata {
namespace {

Box nothing(std::size_t rank) { return Box{std::vector<std::int64_t>(rank, 0), std::vector<std::int64_t>(rank, 0)}; }

TEST(Layout, RootHoldsTheWholeArrayOnOneRank) {
  const auto boxes = Layout::root(2).boxes_for({3, 4}, 3);
  EXPECT_EQ(boxes, (std::vector<Box>{nothing(2), nothing(2), Box::whole({3, 4})}));
  EXPECT_THROW(Layout::root(3).boxes_for({3, 4}, 3), Error);
  EXPECT_THROW(Layout::root(-1).boxes_for({3, 4}, 3), Error);
}

TEST(Layout, SlabCutsOneAxisIntoBalancedRanges) {
  const auto boxes = Layout::slab(1).boxes_for({2, 10, 3}, 4);
  ASSERT_EQ(boxes.size(), 4u);
  const std::int64_t want[5] = {0, 2, 5, 7, 10};
  for (int r = 0; r < 4; ++r) EXPECT_EQ(boxes[r], (Box{{0, want[r], 0}, {2, want[r + 1], 3}})) << r;
  EXPECT_THROW(Layout::slab(3).boxes_for({2, 10, 3}, 4), Error);
}

TEST(Layout, SlabByDefaultCutsTheOutermostAxisLongerThanOne) {
  const auto boxes = Layout::slab().boxes_for({1, 1, 4, 5}, 2);
  EXPECT_EQ(boxes[0], (Box{{0, 0, 0, 0}, {1, 1, 2, 5}}));
  EXPECT_EQ(boxes[1], (Box{{0, 0, 2, 0}, {1, 1, 4, 5}}));
}

TEST(Layout, SlabWithMoreRanksThanPlanesLeavesSomeEmpty) {
  const auto boxes = Layout::slab(0).boxes_for({2, 3}, 4);
  std::int64_t total = 0;
  for (const Box& b : boxes) total += b.count();
  EXPECT_EQ(total, 6);
  EXPECT_TRUE(boxes[0].empty());
}

TEST(Layout, BlocksDefaultGridSplitsTheLongestAxes) {
  const auto boxes = Layout::blocks().boxes_for({100, 640, 640}, 4);
  EXPECT_EQ(boxes[0], (Box{{0, 0, 0}, {100, 320, 320}}));
  EXPECT_EQ(boxes[1], (Box{{0, 0, 320}, {100, 320, 640}}));
  EXPECT_EQ(boxes[2], (Box{{0, 320, 0}, {100, 640, 320}}));
  EXPECT_EQ(boxes[3], (Box{{0, 320, 320}, {100, 640, 640}}));
  const auto six = Layout::blocks().boxes_for({30, 20}, 6);  // 3 along the 30, 2 along the 20
  EXPECT_EQ(six[0], (Box{{0, 0}, {10, 10}}));
  EXPECT_EQ(six[5], (Box{{20, 10}, {30, 20}}));
}

TEST(Layout, BlocksOfAGivenGridInCOrderAndRanksBeyondItHoldNothing) {
  const auto boxes = Layout::blocks({1, 2, 1}).boxes_for({2, 4, 3}, 3);
  EXPECT_EQ(boxes[0], (Box{{0, 0, 0}, {2, 2, 3}}));
  EXPECT_EQ(boxes[1], (Box{{0, 2, 0}, {2, 4, 3}}));
  EXPECT_TRUE(boxes[2].empty());
  EXPECT_THROW(Layout::blocks({2, 2, 1}).boxes_for({2, 4, 3}, 3), Error);  // 4 blocks, 3 ranks
  EXPECT_THROW(Layout::blocks({2, 1}).boxes_for({2, 4, 3}, 3), Error);     // not one count per axis
  EXPECT_THROW(Layout::blocks({0, 1, 1}).boxes_for({2, 4, 3}, 3), Error);
}

TEST(Layout, BoxesAreTheCallersOneEachInsideTheArray) {
  const std::vector<Box> given{Box{{0, 0}, {2, 2}}, Box{{5, 5}, {5, 5}}};
  const auto boxes = Layout::boxes(given).boxes_for({4, 4}, 2);
  EXPECT_EQ(boxes[0], given[0]);
  EXPECT_TRUE(boxes[1].empty());
  EXPECT_THROW(Layout::boxes(given).boxes_for({4, 4}, 3), Error);
  EXPECT_THROW(Layout::boxes({Box{{0, 0}, {5, 1}}}).boxes_for({4, 4}, 1), Error);
}

TEST(Layout, ReplicatedGivesEveryRankTheWholeArray) {
  const auto boxes = Layout::replicated().boxes_for({3, 2}, 3);
  for (const Box& b : boxes) EXPECT_EQ(b, Box::whole({3, 2}));
}

TEST(Layout, Names) {
  EXPECT_EQ(Layout::root(1).to_string(), "root:1");
  EXPECT_EQ(Layout::slab().to_string(), "slab");
  EXPECT_EQ(Layout::slab(2).to_string(), "slab:2");
  EXPECT_EQ(Layout::blocks({1, 2, 2}).to_string(), "blocks:1x2x2");
  EXPECT_EQ(Layout::replicated().to_string(), "replicated");
}

}  // namespace
}  // namespace strata
