#include "model/pyramid.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "model/half.hpp"
#include "strata/error.hpp"

namespace strata {
namespace {

TEST(Pyramid, LevelShapesHalveYAndXRoundingUp) {
  EXPECT_EQ(level_shape({3, 5, 640, 640}, 2, 0), (Shape{3, 5, 640, 640}));
  EXPECT_EQ(level_shape({3, 5, 640, 640}, 2, 1), (Shape{3, 5, 320, 320}));
  EXPECT_EQ(level_shape({21, 23}, 2, 1), (Shape{11, 12}));
  EXPECT_EQ(level_shape({21, 23}, 2, 2), (Shape{6, 6}));
  EXPECT_EQ(level_shape({2, 7, 9, 3}, 3, 1), (Shape{2, 4, 5, 3}));  // YXS: samples stay
  EXPECT_EQ(level_shape({1, 1}, 2, 5), (Shape{1, 1}));
}

template <typename T>
std::vector<T> downsampled(const std::vector<T>& in, DType dtype, Shape shape) {
  const Shape out_shape = level_shape(shape, static_cast<int>(shape.size()), 1);
  std::vector<T> out(static_cast<std::size_t>(element_count(out_shape)));
  downsample_plane(View::contiguous(reinterpret_cast<std::byte*>(const_cast<T*>(in.data())), dtype, shape),
                   View::contiguous(reinterpret_cast<std::byte*>(out.data()), dtype, out_shape));
  return out;
}

TEST(Pyramid, IntegerMeansRoundHalfToEvenLikeNumPy) {
  // 2x2 blocks with sums 2 (0.5 -> 0), 6 (1.5 -> 2), 10 (2.5 -> 2), 3 (0.75 -> 1)
  const std::vector<std::uint8_t> in{0, 1, 0, 3, 2, 2,  //
                                     0, 1, 1, 2, 2, 4,  //
                                     0, 0, 3, 0, 9, 9,  //
                                     1, 2, 0, 0, 9, 9};
  EXPECT_EQ(downsampled(in, DType::uint8, {4, 6}), (std::vector<std::uint8_t>{0, 2, 2, 1, 1, 9}));
  // Negative sums round to even too: -2/4 = -0.5 -> 0, -6/4 = -1.5 -> -2.
  const std::vector<std::int16_t> negative{-1, -1, -3, -1, 0, 0, -1, -1};
  EXPECT_EQ(downsampled(negative, DType::int16, {2, 4}), (std::vector<std::int16_t>{0, -2}));
  const std::vector<std::int16_t> odd_negative{-1, 0, -1, -2, 0, 0, -1, -1};  // -0.25 -> 0; -1.25 -> -1
  EXPECT_EQ(downsampled(odd_negative, DType::int16, {2, 4}), (std::vector<std::int16_t>{0, -1}));
}

TEST(Pyramid, OddEdgesAverageTheirPartialBlocks) {
  // 3x3: the last row and column have blocks of 2 and the corner of 1.
  const std::vector<std::uint16_t> in{1, 3, 10, 5, 7, 20, 100, 200, 1000};
  EXPECT_EQ(downsampled(in, DType::uint16, {3, 3}), (std::vector<std::uint16_t>{4, 15, 150, 1000}));
}

TEST(Pyramid, SixtyFourBitSumsDoNotOverflow) {
  const std::uint64_t big = ~std::uint64_t{0} - 4;
  const std::vector<std::uint64_t> in{big, big, big, big};
  EXPECT_EQ(downsampled(in, DType::uint64, {2, 2}), (std::vector<std::uint64_t>{big}));
  const std::int64_t low = std::numeric_limits<std::int64_t>::min() + 2;
  const std::vector<std::int64_t> neg{low, low, low, low};
  EXPECT_EQ(downsampled(neg, DType::int64, {2, 2}), (std::vector<std::int64_t>{low}));
}

TEST(Pyramid, FloatsAndSamples) {
  const std::vector<float> in{1.0f, 2.0f, 3.0f, 4.5f};
  EXPECT_EQ(downsampled(in, DType::float32, {2, 2}), (std::vector<float>{2.625f}));
  // YXS with 2 samples: each sample averaged on its own.
  const std::vector<std::uint8_t> rgb{10, 1, 20, 3, 30, 5, 40, 7};
  EXPECT_EQ(downsampled(rgb, DType::uint8, {2, 2, 2}), (std::vector<std::uint8_t>{25, 4}));
  const std::vector<std::uint16_t> halves{half_bits(1.0f), half_bits(2.0f), half_bits(3.0f), half_bits(6.0f)};
  EXPECT_EQ(downsampled(halves, DType::float16, {2, 2}), (std::vector<std::uint16_t>{half_bits(3.0f)}));
}

TEST(Pyramid, MismatchedPlanesAreRefused) {
  std::vector<std::uint8_t> in(16), out(4);
  const View from = View::contiguous(reinterpret_cast<std::byte*>(in.data()), DType::uint8, {4, 4});
  EXPECT_THROW(downsample_plane(from, View::contiguous(reinterpret_cast<std::byte*>(out.data()), DType::uint8, {4, 1})),
               Error);
  EXPECT_THROW(downsample_plane(from, View::contiguous(reinterpret_cast<std::byte*>(out.data()), DType::int8, {2, 2})),
               Error);
}

}  // namespace
}  // namespace strata
