// Blosc buffers (codecs/blosc.hpp): round trips over the compressors this libblosc has and
// the shuffles, the exact decoded size the decoder enforces, and corrupt headers.
#include "codecs/blosc.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "codecs/codec_testing.hpp"

namespace strata {
namespace {

using namespace strata::testing;

std::vector<std::byte> blosc_of(const std::vector<std::byte>& data, const codecs::BloscOptions& options = {}) {
  std::vector<std::byte> out(codecs::blosc_encode_bound(data.size()));
  out.resize(codecs::blosc_encode(data, out, options));
  return out;
}

TEST(Blosc, RoundTripsWithEveryCompressorAndShuffle) {
  ASSERT_TRUE(codecs::blosc_has_compressor("lz4"));
  ASSERT_TRUE(codecs::blosc_has_compressor("blosclz"));
  EXPECT_FALSE(codecs::blosc_has_compressor("lz"));  // a prefix of a name is not a name
  for (std::string_view cname : {"blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd"}) {
    if (!codecs::blosc_has_compressor(cname)) continue;
    for (int shuffle : {0, 1, 2}) {
      for (std::size_t typesize : {1u, 2u, 4u, 8u}) {
        SCOPED_TRACE(::testing::Message() << cname << " shuffle " << shuffle << " typesize " << typesize);
        for (const auto& data : {compressible(100003), incompressible(4099)}) {
          const auto buffer = blosc_of(data, {cname, 5, shuffle, typesize, 0});
          std::vector<std::byte> out(data.size());
          codecs::blosc_decode(buffer, out);
          EXPECT_EQ(out, data);
        }
      }
    }
  }
}

TEST(Blosc, RefusesAnyOtherSize) {
  const auto buffer = blosc_of(compressible(4096));
  std::vector<std::byte> larger(4097), smaller(4095);
  EXPECT_EQ(cause_of([&] { codecs::blosc_decode(buffer, larger); }),
            "blosc: chunk decodes to 4096 bytes, expected 4097");
  EXPECT_EQ(cause_of([&] { codecs::blosc_decode(buffer, smaller); }),
            "blosc: chunk decodes to 4096 bytes, expected 4095");
}

TEST(Blosc, RefusesCorruptOrTruncatedBuffers) {
  const auto buffer = blosc_of(incompressible(4096));
  std::vector<std::byte> out(4096);
  const std::vector<std::byte> header_only(buffer.begin(), buffer.begin() + 16);
  EXPECT_EQ(cause_of([&] { codecs::blosc_decode(header_only, out); }),
            "blosc: corrupt or truncated buffer (16 bytes, its header says " + std::to_string(buffer.size()) + ")");
  const std::vector<std::byte> one_short(buffer.begin(), buffer.end() - 1);
  EXPECT_EQ(cause_of([&] { codecs::blosc_decode(one_short, out); }).rfind("blosc: corrupt or truncated buffer", 0), 0u);
  const std::vector<std::byte> too_short(buffer.begin(), buffer.begin() + 10);
  EXPECT_EQ(cause_of([&] { codecs::blosc_decode(too_short, out); }), "blosc: corrupt or truncated buffer (10 bytes)");
  auto wrong_sizes = buffer;
  wrong_sizes[12] = std::byte{0xff};  // compressed size (bytes 12-15) beyond the buffer
  EXPECT_EQ(cause_of([&] { codecs::blosc_decode(wrong_sizes, out); }).rfind("blosc: corrupt", 0), 0u);
}

// Chunks stored larger than their Blosc buffer (trailing bytes, as some C++ writers leave
// them) decode as c-blosc's blosc_decompress and numcodecs decode them.
TEST(Blosc, IgnoresBytesAfterTheBuffer) {
  for (const auto& data : {compressible(100003), incompressible(4099)}) {
    auto stored = blosc_of(data, {"lz4", 5, 1, 4, 0});
    const std::size_t own = stored.size();
    stored.insert(stored.end(), 37, std::byte{0xa5});
    std::vector<std::byte> out(data.size());
    codecs::blosc_decode(stored, out);
    EXPECT_EQ(out, data);
    stored.resize(own + 1);  // one byte more than the buffer
    std::fill(out.begin(), out.end(), std::byte{0});
    codecs::blosc_decode(stored, out);
    EXPECT_EQ(out, data);
  }
}

TEST(Blosc, EncodeRefusesUnknownCompressorsAndSmallOutput) {
  const auto data = compressible(1000);
  std::vector<std::byte> out(codecs::blosc_encode_bound(data.size()));
  EXPECT_EQ(cause_of([&] { codecs::blosc_encode(data, out, {"nope"}); })
                .rfind("blosc: compressor 'nope' is not available", 0),
            0u);
  std::vector<std::byte> small(data.size());
  EXPECT_EQ(cause_of([&] { codecs::blosc_encode(data, small, {}); }),
            "blosc: output buffer smaller than blosc_encode_bound");
}

}  // namespace
}  // namespace strata
