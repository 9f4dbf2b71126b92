// Zlib and gzip streams (codecs/deflate.hpp, codecs/gzip.hpp): round trips through
// libdeflate, the exact decoded size each decoder enforces, and the TIFF prefix decode.
#include "codecs/deflate.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "codecs/codec_testing.hpp"
#include "codecs/gzip.hpp"

namespace strata {
namespace {

using namespace strata::testing;

std::vector<std::byte> zlib_of(const std::vector<std::byte>& data, int level = 6) {
  std::vector<std::byte> out(codecs::zlib_compress_bound(data.size()));
  out.resize(codecs::deflate_zlib(data, out, level));
  return out;
}

std::vector<std::byte> gzip_of(const std::vector<std::byte>& data, int level = 6) {
  std::vector<std::byte> out(codecs::gzip_compress_bound(data.size()));
  out.resize(codecs::deflate_gzip(data, out, level));
  return out;
}

TEST(Zlib, RoundTripsAtEveryLevelAndSize) {
  for (std::size_t size : {std::size_t{1}, std::size_t{1000}, std::size_t{1} << 20}) {
    for (int level : {1, 6, 12}) {
      SCOPED_TRACE(::testing::Message() << size << " bytes, level " << level);
      for (const auto& data : {compressible(size), incompressible(size)}) {
        std::vector<std::byte> out(size);
        codecs::inflate_zlib(zlib_of(data, level), out);
        EXPECT_EQ(out, data);
      }
    }
  }
}

TEST(Zlib, IgnoresBytesAfterTheStream) {
  const auto data = compressible(5000);
  auto stream = zlib_of(data);
  stream.resize(stream.size() + 17, std::byte{0xab});  // padding some TIFF writers leave
  std::vector<std::byte> out(data.size());
  codecs::inflate_zlib(stream, out);
  EXPECT_EQ(out, data);
}

TEST(Zlib, RefusesAnyOtherSize) {
  const auto stream = zlib_of(compressible(4096));
  std::vector<std::byte> larger(4097), smaller(4095);
  EXPECT_EQ(cause_of([&] { codecs::inflate_zlib(stream, larger); }),
            "zlib: chunk decodes to 4096 bytes, expected 4097");
  EXPECT_EQ(cause_of([&] { codecs::inflate_zlib(stream, smaller); }), "zlib: chunk decodes to more than 4095 bytes");
}

TEST(Zlib, RefusesCorruptStreams) {
  const auto stream = zlib_of(compressible(4096));
  std::vector<std::byte> out(4096);
  const std::vector<std::byte> truncated(stream.begin(), stream.begin() + stream.size() / 2);
  EXPECT_EQ(cause_of([&] { codecs::inflate_zlib(truncated, out); }), "zlib: corrupt or truncated stream");
  auto bad_checksum = stream;
  bad_checksum.back() ^= std::byte{1};  // Adler-32, the last 4 bytes
  EXPECT_EQ(cause_of([&] { codecs::inflate_zlib(bad_checksum, out); }), "zlib: corrupt or truncated stream");
  EXPECT_EQ(cause_of([&] { codecs::inflate_zlib(compressible(100), out); }), "zlib: corrupt or truncated stream");
}

TEST(Zlib, PrefixDecodeCutsLongerStreamsAsLibtiffDoes) {
  for (const auto& data : {compressible(100000), incompressible(100000)}) {
    const auto stream = zlib_of(data);
    std::vector<std::byte> whole(data.size());
    EXPECT_FALSE(codecs::inflate_zlib_prefix(stream, whole));
    EXPECT_EQ(whole, data);
    for (std::size_t size : {std::size_t{1}, std::size_t{777}, std::size_t{65536}, data.size() - 1}) {
      SCOPED_TRACE(size);
      std::vector<std::byte> part(size);
      EXPECT_TRUE(codecs::inflate_zlib_prefix(stream, part));
      EXPECT_TRUE(std::equal(part.begin(), part.end(), data.begin()));
    }
  }
  // What follows the prefix is not read, as with libtiff: a cut tail goes unnoticed.
  const auto data = compressible(100000);
  const auto stream = zlib_of(data);
  const std::vector<std::byte> truncated(stream.begin(), stream.begin() + stream.size() * 3 / 4);
  std::vector<std::byte> part(1000);
  EXPECT_TRUE(codecs::inflate_zlib_prefix(truncated, part));
  EXPECT_TRUE(std::equal(part.begin(), part.end(), data.begin()));
}

TEST(Zlib, PrefixDecodeStillRefusesShortAndCorruptStreams) {
  const auto data = compressible(100000);
  const auto stream = zlib_of(data);
  std::vector<std::byte> larger(data.size() + 1);
  EXPECT_EQ(cause_of([&] { codecs::inflate_zlib_prefix(stream, larger); }),
            "zlib: chunk decodes to 100000 bytes, expected 100001");
  // Cut inside the part a 90000-byte prefix needs: neither decoder gets that far.
  const std::vector<std::byte> truncated(stream.begin(), stream.begin() + stream.size() / 4);
  std::vector<std::byte> part(90000);
  EXPECT_EQ(cause_of([&] { codecs::inflate_zlib_prefix(truncated, part); }), "zlib: corrupt or truncated stream");
  EXPECT_EQ(cause_of([&] { codecs::inflate_zlib_prefix(compressible(100), part); }),
            "zlib: corrupt or truncated stream");
}

TEST(Gzip, RoundTripsAndIgnoresBytesAfterTheMember) {
  for (int level : {1, 9}) {
    const auto data = compressible(70000);
    auto stream = gzip_of(data, level);
    std::vector<std::byte> out(data.size());
    codecs::inflate_gzip(stream, out);
    EXPECT_EQ(out, data);
    stream.resize(stream.size() + 8, std::byte{0});
    codecs::inflate_gzip(stream, out);
    EXPECT_EQ(out, data);
  }
}

TEST(Gzip, RefusesAnyOtherSizeAndCorruptStreams) {
  const auto stream = gzip_of(compressible(4096));
  std::vector<std::byte> exact(4096), larger(4097), smaller(4095);
  EXPECT_EQ(cause_of([&] { codecs::inflate_gzip(stream, larger); }),
            "gzip: chunk decodes to 4096 bytes, expected 4097");
  EXPECT_EQ(cause_of([&] { codecs::inflate_gzip(stream, smaller); }), "gzip: chunk decodes to more than 4095 bytes");
  auto bad_crc = stream;
  bad_crc[bad_crc.size() - 5] ^= std::byte{1};  // CRC-32, before the 4-byte size
  EXPECT_EQ(cause_of([&] { codecs::inflate_gzip(bad_crc, exact); }), "gzip: corrupt or truncated stream");
  // A zlib stream is not a gzip member.
  EXPECT_EQ(cause_of([&] { codecs::inflate_gzip(zlib_of(compressible(4096)), exact); }),
            "gzip: corrupt or truncated stream");
}

}  // namespace
}  // namespace strata
