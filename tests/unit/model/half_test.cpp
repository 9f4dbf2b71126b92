#include "model/half.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace strata {
namespace {

// The value a half's bits stand for, decoded independently of half_bits.
double half_value(std::uint16_t h) {
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  const double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  if (exponent == 31) return mantissa ? std::numeric_limits<double>::quiet_NaN() : sign * INFINITY;
  return sign * std::ldexp(1024 + mantissa, exponent - 25);
}

TEST(Half, ExactValuesKeepTheirBits) {
  EXPECT_EQ(half_bits(0.0f), 0x0000);
  EXPECT_EQ(half_bits(-0.0f), 0x8000);
  EXPECT_EQ(half_bits(1.0f), 0x3c00);
  EXPECT_EQ(half_bits(-2.0f), 0xc000);
  EXPECT_EQ(half_bits(65504.0f), 0x7bff);            // largest finite
  EXPECT_EQ(half_bits(std::ldexp(1.0f, -14)), 0x0400);  // smallest normal
  EXPECT_EQ(half_bits(std::ldexp(1.0f, -24)), 0x0001);  // smallest subnormal
  EXPECT_EQ(half_bits(INFINITY), 0x7c00);
  EXPECT_EQ(half_bits(-INFINITY), 0xfc00);
  EXPECT_EQ(half_bits(std::numeric_limits<float>::quiet_NaN()) & 0x7e00, 0x7e00);
}

TEST(Half, RoundsToNearestEven) {
  EXPECT_EQ(half_bits(65519.0f), 0x7bff);  // below the midpoint to infinity
  EXPECT_EQ(half_bits(65520.0f), 0x7c00);  // the midpoint rounds to even: infinity
  EXPECT_EQ(half_bits(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // tie, even stays
  EXPECT_EQ(half_bits(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);  // tie, odd rounds up
  EXPECT_EQ(half_bits(std::ldexp(1.0f, -25)), 0x0000);  // half the smallest subnormal: tie to 0
  EXPECT_EQ(half_bits(std::ldexp(3.0f, -25)), 0x0002);  // 1.5 subnormal units: tie to 2
}

TEST(Half, EveryHalfRoundTripsThroughFloat) {
  for (std::uint32_t h = 0; h < 0x10000; ++h) {
    const double v = half_value(static_cast<std::uint16_t>(h));
    if (std::isnan(v)) continue;
    EXPECT_EQ(half_bits(static_cast<float>(v)), h) << std::hex << h;
  }
}

}  // namespace
}  // namespace strata
