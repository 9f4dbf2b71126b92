// LZF (codecs/lzf.hpp) on hand-made streams: literals, overlapping back references, the
// exact decoded size, and corrupt data.
#include "codecs/lzf.hpp"

#include <gtest/gtest.h>

#include "codecs/codec_testing.hpp"

namespace strata {
namespace {

using namespace strata::testing;

// "abc", then 6 bytes from 3 back (overlapping), then 12 bytes from 9 back (a length byte).
const std::vector<std::byte> kStream =
    bytes_of({2, 'a', 'b', 'c', (4 << 5) | 0, 2, (7 << 5) | 0, 3, 8});

TEST(Lzf, DecodesLiteralsAndBackReferences) {
  std::vector<std::byte> out(21);
  codecs::lzf_decompress(kStream, out);
  EXPECT_EQ(out, bytes_of("abcabcabcabcabcabcabc"));
  // A distance with high bits: 300 literal bytes in runs of 30, then 40 bytes from 290 back.
  std::vector<std::byte> stream;
  std::vector<std::byte> expected;
  for (int run = 0; run < 10; ++run) {  // literal runs hold at most 32 bytes
    stream.push_back(std::byte{29});
    for (int k = 0; k < 30; ++k) {
      stream.push_back(static_cast<std::byte>(run * 30 + k));
      expected.push_back(static_cast<std::byte>(run * 30 + k));
    }
  }
  const int distance = 290 - 1, length = 40 - 2;  // as stored
  stream.push_back(static_cast<std::byte>((7 << 5) | (distance >> 8)));
  stream.push_back(static_cast<std::byte>(length - 7));
  stream.push_back(static_cast<std::byte>(distance & 0xff));
  for (int k = 0; k < 40; ++k) {
    const std::byte earlier = expected[expected.size() - 290];
    expected.push_back(earlier);
  }
  std::vector<std::byte> out2(expected.size());
  codecs::lzf_decompress(stream, out2);
  EXPECT_EQ(out2, expected);
}

TEST(Lzf, RefusesAnyOtherSize) {
  std::vector<std::byte> larger(22), smaller(20), tiny(2);
  EXPECT_EQ(cause_of([&] { codecs::lzf_decompress(kStream, larger); }), "lzf: chunk decodes to 21 bytes, expected 22");
  EXPECT_EQ(cause_of([&] { codecs::lzf_decompress(kStream, smaller); }), "lzf: chunk decodes to more than 20 bytes");
  EXPECT_EQ(cause_of([&] { codecs::lzf_decompress(kStream, tiny); }), "lzf: chunk decodes to more than 2 bytes");
  std::vector<std::byte> none;
  codecs::lzf_decompress({}, none);  // nothing decodes to nothing
}

TEST(Lzf, RefusesCorruptData) {
  std::vector<std::byte> out(21);
  const auto reaches_before_start = bytes_of({0, 'a', (1 << 5) | 0, 5});
  EXPECT_EQ(cause_of([&] { codecs::lzf_decompress(reaches_before_start, out); }), "lzf: corrupt chunk");
  const auto truncated_literal = bytes_of({5, 'a'});
  EXPECT_EQ(cause_of([&] { codecs::lzf_decompress(truncated_literal, out); }), "lzf: corrupt chunk");
  const auto missing_distance = bytes_of({2, 'a', 'b', 'c', (4 << 5) | 0});
  EXPECT_EQ(cause_of([&] { codecs::lzf_decompress(missing_distance, out); }), "lzf: corrupt chunk");
  const auto missing_length = bytes_of({2, 'a', 'b', 'c', (7 << 5) | 0});
  EXPECT_EQ(cause_of([&] { codecs::lzf_decompress(missing_length, out); }), "lzf: corrupt chunk");
}

}  // namespace
}  // namespace strata
