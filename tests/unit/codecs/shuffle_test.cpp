// HDF5's byte shuffle done and undone (codecs/shuffle.hpp), against a byte-by-byte shuffle.
#include "codecs/shuffle.hpp"

#include <gtest/gtest.h>

#include "codecs/codec_testing.hpp"

namespace strata {
namespace {

using namespace strata::testing;

// HDF5's shuffle: byte 0 of every whole element, then byte 1, ...; a partial last element as is.
std::vector<std::byte> shuffled(const std::vector<std::byte>& data, std::size_t element) {
  const std::size_t n = data.size() / element;
  std::vector<std::byte> out(data);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t b = 0; b < element; ++b) out[b * n + i] = data[i * element + b];
  return out;
}

TEST(Shuffle, UnshuffleInvertsHdf5sShuffleWithTrailingBytes) {
  for (std::size_t element : {1u, 2u, 3u, 4u, 5u, 8u, 16u}) {
    // More than 16 elements (the vector path), a few more (the byte path) and a partial one.
    for (std::size_t count : {0u, 1u, 15u, 16u, 53u, 1000u}) {
      SCOPED_TRACE(::testing::Message() << count << " elements of " << element << " bytes");
      const auto original = incompressible(element * count + element / 2);
      std::vector<std::byte> out(original.size());
      codecs::unshuffle(shuffled(original, element), out, element);
      EXPECT_EQ(out, original);
    }
  }
}

TEST(Shuffle, ShuffleIsHdf5sShuffle) {
  for (std::size_t element : {1u, 2u, 3u, 8u})
    for (std::size_t count : {0u, 1u, 17u, 1000u}) {
      const auto original = incompressible(element * count + element / 2);
      std::vector<std::byte> out(original.size());
      codecs::shuffle(original, out, element);
      EXPECT_EQ(out, shuffled(original, element)) << count << " elements of " << element << " bytes";
    }
}

TEST(Shuffle, KnownVector) {
  // Three 4-byte elements 00010203, 10111213, 20212223, then two trailing bytes.
  const auto in = bytes_of({0x00, 0x10, 0x20, 0x01, 0x11, 0x21, 0x02, 0x12, 0x22, 0x03, 0x13, 0x23, 0xaa, 0xbb});
  std::vector<std::byte> out(in.size());
  codecs::unshuffle(in, out, 4);
  EXPECT_EQ(out, bytes_of({0x00, 0x01, 0x02, 0x03, 0x10, 0x11, 0x12, 0x13, 0x20, 0x21, 0x22, 0x23, 0xaa, 0xbb}));
}

TEST(Shuffle, RefusesAnOutputOfAnotherSize) {
  const auto in = compressible(64);
  std::vector<std::byte> larger(66), smaller(62);
  EXPECT_EQ(cause_of([&] { codecs::unshuffle(in, larger, 2); }), "shuffle: chunk decodes to 64 bytes, expected 66");
  EXPECT_EQ(cause_of([&] { codecs::unshuffle(in, smaller, 2); }), "shuffle: chunk decodes to 64 bytes, expected 62");
}

}  // namespace
}  // namespace strata
