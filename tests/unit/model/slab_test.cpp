// The slab layout's plane arithmetic: runs of planes as boxes, and views into a slab.
#include "strata/slab.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <span>
#include <type_traits>

#include "strata/error.hpp"

namespace strata {
namespace {

// The C-order numbers of the planes a box covers (leading axes only).
std::vector<std::int64_t> planes_of(const Box& box, const Shape& shape, int plane_axes) {
  const std::size_t lead = shape.size() - static_cast<std::size_t>(plane_axes);
  std::vector<std::int64_t> out;
  std::vector<std::int64_t> at(box.start.begin(), box.start.begin() + lead);
  if (lead == 0) return {0};
  while (true) {
    std::int64_t p = 0;
    for (std::size_t i = 0; i < lead; ++i) p = p * shape[i] + at[i];
    out.push_back(p);
    std::size_t i = lead;
    while (i-- > 0) {
      if (++at[i] < box.stop[i]) break;
      at[i] = box.start[i];
    }
    if (i == static_cast<std::size_t>(-1)) return out;
  }
}

TEST(PlaneAxes, TrailingYXOrYXS) {
  EXPECT_EQ(plane_axes("TCZYX", 5), 2);
  EXPECT_EQ(plane_axes("ZYXS", 4), 3);
  EXPECT_EQ(plane_axes("YXS", 3), 3);
  EXPECT_EQ(plane_axes("X", 1), 1);
  EXPECT_EQ(plane_count({2, 3, 5, 7, 9}, 2), 30);
  EXPECT_EQ(plane_count({7, 9}, 2), 1);
}

TEST(PlaneRangeBoxes, EveryRangeOfRandomShapesIsCoveredInOrderByFewBoxes) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 100; ++trial) {
    const int lead = std::uniform_int_distribution<int>(0, 4)(rng);
    Shape shape;
    for (int i = 0; i < lead; ++i) shape.push_back(std::uniform_int_distribution<std::int64_t>(1, 5)(rng));
    shape.push_back(3);
    shape.push_back(2);
    const std::int64_t planes = plane_count(shape, 2);
    for (std::int64_t a = 0; a <= planes; ++a)
      for (std::int64_t b = a; b <= planes; ++b) {
        const auto boxes = plane_range_boxes(shape, 2, a, b);
        std::vector<std::int64_t> covered;
        for (const Box& box : boxes) {
          ASSERT_TRUE(Box::whole(shape).contains(box)) << box.to_string();
          ASSERT_FALSE(box.empty());
          EXPECT_EQ(box.start.back(), 0);
          EXPECT_EQ(box.stop.back(), 2);  // whole planes
          for (auto p : planes_of(box, shape, 2)) covered.push_back(p);
        }
        std::vector<std::int64_t> wanted;
        for (std::int64_t p = a; p < b; ++p) wanted.push_back(p);
        ASSERT_EQ(covered, wanted) << "planes [" << a << ", " << b << ") of " << Box::whole(shape).to_string();
        EXPECT_LE(boxes.size(), static_cast<std::size_t>(std::max(1, 2 * lead - 1)));
      }
  }
}

TEST(Slab, ViewAddressesThePlanesOfThisRank) {
  Slab slab;
  slab.shape = {2, 3, 4, 5};  // 6 planes of 4 x 5
  slab.dtype = DType::uint16;
  slab.plane_begin = 2;
  slab.plane_end = 5;
  slab.data = Buffer(3 * slab.plane_bytes());
  ASSERT_EQ(slab.plane_bytes(), 40u);
  auto* values = reinterpret_cast<std::uint16_t*>(slab.data.data());
  for (int i = 0; i < 60; ++i) values[i] = static_cast<std::uint16_t>(i);
  // Plane 3 is [1, 0]; its row 2, columns 1..3.
  const View v = slab.view(Box{{1, 0, 2, 1}, {2, 1, 3, 4}});
  EXPECT_EQ(v.shape, (Shape{1, 1, 1, 3}));
  EXPECT_EQ(*reinterpret_cast<const std::uint16_t*>(v.data), 20 + 2 * 5 + 1);
  EXPECT_THROW(slab.view(Box{{0, 0, 0, 0}, {1, 1, 4, 5}}), Error);  // plane 0 is another rank's
  EXPECT_EQ(slab.boxes(), (std::vector<Box>{Box{{0, 2, 0, 0}, {1, 3, 4, 5}}, Box{{1, 0, 0, 0}, {2, 2, 4, 5}}}));
}

// Where a slab lies in the whole array, as one box when its run is one; a const slab gives
// read-only views and typed elements.
TEST(Slab, BoxIsTheRunOfPlanesWhenItIsOneBox) {
  Slab stack;
  stack.shape = {7, 4, 5};  // ZYX: every run is one box
  stack.plane_begin = 2;
  stack.plane_end = 5;
  EXPECT_EQ(stack.box(), (Box{{2, 0, 0}, {5, 4, 5}}));
  stack.plane_end = 2;
  EXPECT_TRUE(stack.box().empty());
  EXPECT_EQ(stack.box().rank(), 3u);

  Slab hyper;
  hyper.shape = {2, 3, 4, 5};  // ZC: planes [3, 6) are the whole of Z=1, one box
  hyper.plane_begin = 3;
  hyper.plane_end = 6;
  EXPECT_EQ(hyper.box(), (Box{{1, 0, 0, 0}, {2, 3, 4, 5}}));
  hyper.plane_begin = 2;  // planes [2, 6) cross from Z=0 into Z=1: two boxes
  EXPECT_THROW(hyper.box(), Error);
}

TEST(Slab, AConstSlabGivesReadOnlyViewsAndElements) {
  Slab slab;
  slab.shape = {4, 2, 3};
  slab.dtype = DType::int32;
  slab.plane_begin = 1;
  slab.plane_end = 3;
  slab.data = Buffer(2 * slab.plane_bytes());
  for (std::int32_t i = 0; i < 12; ++i) slab.as<std::int32_t>()[static_cast<std::size_t>(i)] = 100 + i;
  const Slab& frozen = slab;
  const ConstView v = frozen.view(Box{{2, 1, 0}, {3, 2, 3}});
  static_assert(std::is_same_v<decltype(frozen.view(Box{})), ConstView>);
  static_assert(std::is_same_v<decltype(frozen.as<std::int32_t>()), std::span<const std::int32_t>>);
  EXPECT_EQ(v.as<std::int32_t>()[0], 100 + 6 + 3);  // plane 2 is the slab's second; its row 1
  EXPECT_EQ(frozen.as<std::int32_t>().size(), 12u);
  EXPECT_THROW(frozen.as<std::uint32_t>(), Error);
  EXPECT_THROW(frozen.view(Box{{0, 0, 0}, {1, 2, 3}}), Error);
}

}  // namespace
}  // namespace strata
