// Zstandard frames (codecs/zstd.hpp): round trips, a hand-made frame, the exact decoded size
// the decoder enforces, and the TIFF prefix decode.
#include "codecs/zstd.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "codecs/codec_testing.hpp"

namespace strata {
namespace {

using namespace strata::testing;

std::vector<std::byte> zstd_of(const std::vector<std::byte>& data, int level = 3) {
  std::vector<std::byte> out(codecs::zstd_compress_bound(data.size()));
  out.resize(codecs::compress_zstd(data, out, level));
  return out;
}

// A frame without a content size in its header (as streaming writers leave it): a raw block
// "abc", then a run-length block of five 'x', 1 KiB window.
const std::vector<std::byte> kHandMadeFrame = bytes_of({0x28, 0xb5, 0x2f, 0xfd,  // magic number
                                                        0x00, 0x00,  // no content size, no checksum; window
                                                        0x18, 0x00, 0x00, 'a', 'b', 'c',  // raw, 3 bytes
                                                        0x2b, 0x00, 0x00, 'x'});  // last, RLE, 5 bytes

TEST(Zstd, RoundTripsAtSeveralLevelsAndSizes) {
  for (std::size_t size : {std::size_t{1}, std::size_t{1000}, std::size_t{1} << 20}) {
    for (int level : {1, 3, 9}) {
      SCOPED_TRACE(::testing::Message() << size << " bytes, level " << level);
      for (const auto& data : {compressible(size), incompressible(size)}) {
        std::vector<std::byte> out(size);
        codecs::decompress_zstd(zstd_of(data, level), out);
        EXPECT_EQ(out, data);
      }
    }
  }
}

TEST(Zstd, DecodesAHandMadeFrameAndConcatenatedFrames) {
  std::vector<std::byte> out(8);
  codecs::decompress_zstd(kHandMadeFrame, out);
  EXPECT_EQ(out, bytes_of("abcxxxxx"));

  const auto a = compressible(3000), b = incompressible(2000);
  auto frames = zstd_of(a);
  const auto second = zstd_of(b);
  frames.insert(frames.end(), second.begin(), second.end());
  std::vector<std::byte> both(a.size() + b.size());
  codecs::decompress_zstd(frames, both);
  EXPECT_TRUE(std::equal(a.begin(), a.end(), both.begin()));
  EXPECT_TRUE(std::equal(b.begin(), b.end(), both.begin() + static_cast<std::ptrdiff_t>(a.size())));
}

TEST(Zstd, RefusesAnyOtherSize) {
  const auto frame = zstd_of(compressible(4096));
  std::vector<std::byte> larger(4097), smaller(4095);
  EXPECT_EQ(cause_of([&] { codecs::decompress_zstd(frame, larger); }),
            "zstd: chunk decodes to 4096 bytes, expected 4097");
  EXPECT_EQ(cause_of([&] { codecs::decompress_zstd(frame, smaller); }), "zstd: chunk decodes to more than 4095 bytes");
  std::vector<std::byte> nine(9), seven(7);  // no content size in the header: found by decoding
  EXPECT_EQ(cause_of([&] { codecs::decompress_zstd(kHandMadeFrame, nine); }),
            "zstd: chunk decodes to 8 bytes, expected 9");
  EXPECT_EQ(cause_of([&] { codecs::decompress_zstd(kHandMadeFrame, seven); }),
            "zstd: chunk decodes to more than 7 bytes");
}

TEST(Zstd, RefusesCorruptFrames) {
  const auto frame = zstd_of(incompressible(4096));
  std::vector<std::byte> out(4096);
  const std::vector<std::byte> truncated(frame.begin(), frame.begin() + frame.size() / 2);
  EXPECT_EQ(cause_of([&] { codecs::decompress_zstd(truncated, out); }).rfind("zstd: ", 0), 0u);
  EXPECT_EQ(cause_of([&] { codecs::decompress_zstd(compressible(100), out); }), "zstd: Unknown frame descriptor");
}

TEST(Zstd, PrefixDecodeCutsLongerContentAsLibtiffDoes) {
  for (const auto& data : {compressible(300000), incompressible(300000)}) {
    const auto frame = zstd_of(data);
    std::vector<std::byte> whole(data.size());
    EXPECT_FALSE(codecs::decompress_zstd_prefix(frame, whole));
    EXPECT_EQ(whole, data);
    for (std::size_t size : {std::size_t{1}, std::size_t{777}, std::size_t{131073}, data.size() - 1}) {
      SCOPED_TRACE(size);
      std::vector<std::byte> part(size);
      EXPECT_TRUE(codecs::decompress_zstd_prefix(frame, part));
      EXPECT_TRUE(std::equal(part.begin(), part.end(), data.begin()));
    }
  }
  std::vector<std::byte> part(4);
  EXPECT_TRUE(codecs::decompress_zstd_prefix(kHandMadeFrame, part));
  EXPECT_EQ(part, bytes_of("abcx"));
}

TEST(Zstd, PrefixDecodeStillRefusesShortAndCorruptFrames) {
  const auto data = incompressible(100000);
  const auto frame = zstd_of(data);
  std::vector<std::byte> larger(data.size() + 1);
  EXPECT_EQ(cause_of([&] { codecs::decompress_zstd_prefix(frame, larger); }),
            "zstd: chunk decodes to 100000 bytes, expected 100001");
  std::vector<std::byte> nine(9);
  EXPECT_EQ(cause_of([&] { codecs::decompress_zstd_prefix(kHandMadeFrame, nine); }),
            "zstd: chunk decodes to 8 bytes, expected 9");
  // Cut before the 90000-byte prefix is complete (incompressible: input and output advance together).
  const std::vector<std::byte> truncated(frame.begin(), frame.begin() + frame.size() / 2);
  std::vector<std::byte> part(90000);
  EXPECT_EQ(cause_of([&] { codecs::decompress_zstd_prefix(truncated, part); }).rfind("zstd: ", 0), 0u);
}

TEST(Zstd, WholeDecodesAfterAnAbandonedPrefixDecode) {
  // The prefix decode leaves this thread's context mid-stream; nothing of it may carry over.
  const auto first = compressible(200000), second = incompressible(50000);
  std::vector<std::byte> part(1000);
  EXPECT_TRUE(codecs::decompress_zstd_prefix(zstd_of(first), part));
  std::vector<std::byte> out(second.size());
  codecs::decompress_zstd(zstd_of(second), out);
  EXPECT_EQ(out, second);
  EXPECT_TRUE(codecs::decompress_zstd_prefix(zstd_of(second), part));
  EXPECT_TRUE(std::equal(part.begin(), part.end(), second.begin()));
}

}  // namespace
}  // namespace strata
