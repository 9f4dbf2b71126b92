// In-place byte and bit order fix-ups (codecs/byte_order.hpp).
#include "codecs/byte_order.hpp"

#include <gtest/gtest.h>

#include "codecs/codec_testing.hpp"

namespace strata {
namespace {

using namespace strata::testing;

TEST(ByteOrder, SwapsEverySampleOfItsWidth) {
  const auto original = bytes_of({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  auto data = original;
  codecs::swap_bytes(data, 1);
  EXPECT_EQ(data, original);
  codecs::swap_bytes(data, 2);
  EXPECT_EQ(data, bytes_of({1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14}));
  data = original;
  codecs::swap_bytes(data, 4);
  EXPECT_EQ(data, bytes_of({3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12}));
  data = original;
  codecs::swap_bytes(data, 8);
  EXPECT_EQ(data, bytes_of({7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8}));
  codecs::swap_bytes(data, 8);
  EXPECT_EQ(data, original);
}

TEST(ByteOrder, ReversesTheBitsOfEveryByte) {
  auto data = bytes_of({0x00, 0x01, 0x80, 0x12, 0xf0, 0xa5, 0xff});
  codecs::reverse_bits(data);
  EXPECT_EQ(data, bytes_of({0x00, 0x80, 0x01, 0x48, 0x0f, 0xa5, 0xff}));
  codecs::reverse_bits(data);
  EXPECT_EQ(data, bytes_of({0x00, 0x01, 0x80, 0x12, 0xf0, 0xa5, 0xff}));
}

}  // namespace
}  // namespace strata
