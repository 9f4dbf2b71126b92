// Grid arithmetic (strata/grid.hpp): strides, linear indices, C-order stepping, chunk grids.
#include "strata/grid.hpp"

#include <gtest/gtest.h>

#include <random>

namespace strata {
namespace {

TEST(Grid, CStridesInElementsAndBytes) {
  EXPECT_EQ(c_strides({2, 3, 4}), (std::vector<std::int64_t>{12, 4, 1}));
  EXPECT_EQ(c_strides({2, 3, 4}, 2), (std::vector<std::int64_t>{24, 8, 2}));
  EXPECT_TRUE(c_strides({}).empty());
}

TEST(Grid, LinearIndexAndUnravelAreInverse) {
  const Shape shape{3, 1, 5, 7};
  for (std::int64_t i = 0; i < element_count(shape); ++i) {
    const Index at = unravel(i, shape);
    for (std::size_t k = 0; k < shape.size(); ++k) {
      EXPECT_GE(at[k], 0);
      EXPECT_LT(at[k], shape[k]);
    }
    EXPECT_EQ(linear_index(at, shape), i);
  }
  EXPECT_EQ(linear_index({}, {}), 0);
}

TEST(Grid, NextInVisitsEveryPositionOfABoxInCOrder) {
  const Box box{{1, 2, 0}, {3, 4, 3}};
  Index at = box.start;
  std::vector<Index> seen;
  do seen.push_back(at);
  while (next_in(at, box));
  ASSERT_EQ(static_cast<std::int64_t>(seen.size()), box.count());
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_LT(seen[i - 1], seen[i]);  // C order is lexicographic
  EXPECT_EQ(seen.front(), box.start);
  EXPECT_EQ(seen.back(), (Index{2, 3, 2}));
  EXPECT_EQ(at, box.start);  // back at the start after the last position
}

TEST(Grid, NextInOnRankZeroVisitsOnce) {
  Index at;
  EXPECT_FALSE(next_in(at, Box{}));
}

TEST(Grid, IndexText) {
  EXPECT_EQ(index_text({0, 3, 1}), "(0,3,1)");
  EXPECT_EQ(index_text({}), "()");
}

TEST(ChunkGrid, EdgeChunksAreClippedAndFullBoxesAreNot) {
  const ChunkGrid grid{{10, 7}, {4, 3}};
  EXPECT_EQ(grid.extent(), (Shape{3, 3}));
  EXPECT_EQ(grid.count(), 9);
  EXPECT_EQ(grid.box({2, 2}), (Box{{8, 6}, {10, 7}}));
  EXPECT_EQ(grid.full_box({2, 2}), (Box{{8, 6}, {12, 9}}));
  EXPECT_EQ(grid.box({1, 0}), (Box{{4, 0}, {8, 3}}));
  EXPECT_EQ(grid.position({8, 6}), (Index{2, 2}));
}

TEST(ChunkGrid, ChunkBoxesTileTheArray) {
  std::mt19937 random(7);
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t rank = 1 + random() % 4;
    Shape shape(rank), chunk(rank);
    for (std::size_t i = 0; i < rank; ++i) {
      shape[i] = 1 + static_cast<std::int64_t>(random() % 9);
      chunk[i] = 1 + static_cast<std::int64_t>(random() % 5);
    }
    const ChunkGrid grid{shape, chunk};
    std::vector<int> covered(static_cast<std::size_t>(element_count(shape)), 0);
    const Box positions = Box::whole(grid.extent());
    Index at = positions.start;
    do {
      const Box b = grid.box(at);
      EXPECT_EQ(grid.position(b.start), at);
      Index e = b.start;
      do ++covered[static_cast<std::size_t>(linear_index(e, shape))];
      while (next_in(e, b));
    } while (next_in(at, positions));
    for (int c : covered) EXPECT_EQ(c, 1);
  }
}

TEST(ChunkGrid, TouchingIsExactlyTheChunksThatMeetTheRegion) {
  const ChunkGrid grid{{20, 20}, {4, 6}};
  const Box region{{3, 6}, {9, 13}};
  EXPECT_EQ(grid.touching(region), (Box{{0, 1}, {3, 3}}));
  const Box all = grid.touching(Box::whole(grid.shape));
  EXPECT_EQ(all, Box::whole(grid.extent()));
}

}  // namespace
}  // namespace strata
