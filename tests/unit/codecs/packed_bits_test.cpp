// Packed samples (codecs/packed_bits.hpp): values worked out by hand from the bit layout
// TIFF uses (MSB first, rows byte-aligned), not produced by a packer under test.
#include "codecs/packed_bits.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace strata {
namespace {

std::vector<std::byte> bytes(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

std::vector<std::uint16_t> unpacked(const std::vector<std::byte>& src, std::size_t rows, std::size_t row_samples,
                                    unsigned bits) {
  std::vector<std::uint16_t> values(rows * row_samples);
  codecs::unpack_to_uint16(src, std::as_writable_bytes(std::span(values)), row_samples, bits);
  return values;
}

TEST(PackedBits, TwelveBitRowsStartOnByteBoundaries) {
  // Row 0: 0xABC 0xDEF 0x123 = AB CD EF 12 3|0 (36 bits, 4 padding bits); row 1: 0x001 0xFFF 0x800.
  const auto src = bytes({0xAB, 0xCD, 0xEF, 0x12, 0x30, 0x00, 0x1F, 0xFF, 0x80, 0x00});
  EXPECT_EQ(codecs::packed_row_bytes(3, 12), 5u);
  EXPECT_EQ(unpacked(src, 2, 3, 12), (std::vector<std::uint16_t>{0xABC, 0xDEF, 0x123, 0x001, 0xFFF, 0x800}));
}

TEST(PackedBits, TenAndFourteenBit) {
  // 1111111111 0000000001 1010101010 0101010101
  EXPECT_EQ(unpacked(bytes({0xFF, 0xC0, 0x1A, 0xA9, 0x55}), 1, 4, 10),
            (std::vector<std::uint16_t>{0x3FF, 0x001, 0x2AA, 0x155}));
  // 10000000000001 01111111111110 (28 bits) + 4 padding bits
  EXPECT_EQ(unpacked(bytes({0x80, 0x05, 0xFF, 0xE0}), 1, 2, 14), (std::vector<std::uint16_t>{0x2001, 0x1FFE}));
}

}  // namespace
}  // namespace strata
