#include "strata/box.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <random>

namespace strata {

// Readable failure messages; internal linkage, so each test file may have its own.
static void PrintTo(const Box& b, std::ostream* os) { *os << b.to_string(); }

namespace {

Box box(std::vector<std::int64_t> start, std::vector<std::int64_t> stop) {
  return Box{std::move(start), std::move(stop)};
}

TEST(Box, WholeStartsAtZero) {
  Box b = Box::whole({2, 3, 4});
  EXPECT_EQ(b, box({0, 0, 0}, {2, 3, 4}));
  EXPECT_EQ(b.rank(), 3u);
  EXPECT_EQ(b.shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(b.count(), 24);
  EXPECT_FALSE(b.empty());
}

TEST(Box, CountAndShape) {
  Box b = box({1, 2, 3}, {4, 7, 4});
  EXPECT_EQ(b.shape(), (Shape{3, 5, 1}));
  EXPECT_EQ(b.count(), 15);
  EXPECT_EQ(element_count({3, 5, 1}), 15);
  EXPECT_EQ(element_count({}), 1);  // a rank-0 array holds one element
}

TEST(Box, ZeroOrNegativeExtentIsEmpty) {
  EXPECT_EQ(box({0, 2}, {5, 2}).count(), 0);
  EXPECT_TRUE(box({0, 2}, {5, 2}).empty());
  EXPECT_EQ(box({0, 5}, {5, 2}).count(), 0);
  EXPECT_TRUE(box({0, 5}, {5, 2}).empty());
  EXPECT_EQ(element_count({4, 0, 3}), 0);
}

TEST(Box, Contains) {
  Box outer = box({0, 10}, {5, 20});
  EXPECT_TRUE(outer.contains(outer));
  EXPECT_TRUE(outer.contains(box({1, 12}, {3, 20})));
  EXPECT_FALSE(outer.contains(box({1, 12}, {3, 21})));
  EXPECT_FALSE(outer.contains(box({0, 9}, {3, 15})));
  EXPECT_FALSE(outer.contains(box({0, 0, 10}, {1, 5, 20})));  // another rank
}

TEST(Box, RelativeTo) {
  Box b = box({3, 10, 7}, {5, 20, 9});
  EXPECT_EQ(b.relative_to({3, 10, 7}), box({0, 0, 0}, {2, 10, 2}));
  EXPECT_EQ(b.relative_to({1, 0, 2}), box({2, 10, 5}, {4, 20, 7}));
  EXPECT_EQ(b.relative_to({1, 0, 2}).shape(), b.shape());
}

TEST(Box, ToString) { EXPECT_EQ(box({0, 2}, {3, 5}).to_string(), "[0:3, 2:5]"); }

TEST(Box, IntersectOverlapping) {
  auto r = intersect(box({0, 0}, {10, 10}), box({5, 3}, {15, 8}));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, box({5, 3}, {10, 8}));
}

TEST(Box, IntersectContained) {
  Box inner = box({2, 3}, {4, 5});
  EXPECT_EQ(intersect(box({0, 0}, {10, 10}), inner), inner);
  EXPECT_EQ(intersect(inner, box({0, 0}, {10, 10})), inner);
}

TEST(Box, IntersectTouchingIsEmptyBecauseHalfOpen) {
  EXPECT_FALSE(intersect(box({0, 0}, {5, 5}), box({5, 0}, {10, 5})));
  EXPECT_FALSE(intersect(box({0, 0}, {5, 5}), box({0, 5}, {5, 10})));
}

TEST(Box, IntersectDisjoint) {
  EXPECT_FALSE(intersect(box({0, 0}, {5, 5}), box({7, 1}, {9, 3})));
  // Overlapping on one axis is not enough.
  EXPECT_FALSE(intersect(box({0, 0}, {5, 5}), box({1, 6}, {3, 9})));
}

// Brute force on small random boxes: a point is in the intersection exactly when it is in
// both boxes; containment agrees with the intersection.
TEST(Box, IntersectAgreesWithPointMembership) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<std::int64_t> coord(0, 6);
  auto random_box = [&] {
    Box b{{0, 0, 0}, {0, 0, 0}};
    for (int i = 0; i < 3; ++i) {
      std::int64_t a = coord(rng), c = coord(rng);
      b.start[i] = std::min(a, c);
      b.stop[i] = std::max(a, c) + 1;
    }
    return b;
  };
  auto inside = [](const Box& b, std::int64_t x, std::int64_t y, std::int64_t z) {
    return b.start[0] <= x && x < b.stop[0] && b.start[1] <= y && y < b.stop[1] &&
           b.start[2] <= z && z < b.stop[2];
  };
  for (int trial = 0; trial < 500; ++trial) {
    Box a = random_box(), b = random_box();
    auto r = intersect(a, b);
    EXPECT_EQ(r, intersect(b, a));
    std::int64_t both = 0;
    for (std::int64_t x = 0; x < 8; ++x)
      for (std::int64_t y = 0; y < 8; ++y)
        for (std::int64_t z = 0; z < 8; ++z) {
          bool in_both = inside(a, x, y, z) && inside(b, x, y, z);
          both += in_both;
          if (r) {
            EXPECT_EQ(inside(*r, x, y, z), in_both);
          }
        }
    EXPECT_EQ(r.has_value(), both > 0);
    if (r) {
      EXPECT_EQ(r->count(), both);
      EXPECT_TRUE(a.contains(*r));
      EXPECT_TRUE(b.contains(*r));
    }
    EXPECT_EQ(a.contains(b), r == b);
  }
}

}  // namespace
}  // namespace strata
