// CRC-32C (codecs/crc32c.hpp): the standard check value, and the Zarr v3 codec undone.
#include "codecs/crc32c.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codecs/codec_testing.hpp"
#include "strata/error.hpp"

namespace strata {
namespace {

using namespace strata::testing;

std::vector<std::byte> with_crc(std::vector<std::byte> data) {
  const std::uint32_t sum = codecs::crc32c(data);
  for (int k = 0; k < 4; ++k) data.push_back(static_cast<std::byte>(sum >> (8 * k)));
  return data;
}

TEST(Crc32c, StandardCheckValue) {
  EXPECT_EQ(codecs::crc32c(bytes_of("123456789")), 0xE3069283u);
  EXPECT_EQ(codecs::crc32c({}), 0u);
  // RFC 3720 (iSCSI) B.4: 32 bytes of zeros, 32 bytes of 0xFF.
  EXPECT_EQ(codecs::crc32c(std::vector<std::byte>(32, std::byte{0})), 0x8A9136AAu);
  EXPECT_EQ(codecs::crc32c(std::vector<std::byte>(32, std::byte{0xFF})), 0x62A8AB43u);
}

TEST(Crc32c, EveryLengthAgreesWithTheBytewiseDefinition) {
  // The slicing-by-8 loop against a bit-at-a-time CRC over lengths 0..40.
  auto slow = [](const std::vector<std::byte>& d) {
    std::uint32_t c = 0xFFFFFFFFu;
    for (std::byte b : d) {
      c ^= static_cast<std::uint32_t>(b);
      for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
  };
  std::vector<std::byte> d;
  for (int n = 0; n <= 40; ++n) {
    EXPECT_EQ(codecs::crc32c(d), slow(d)) << n;
    d.push_back(static_cast<std::byte>(n * 97 + 5));
  }
}

TEST(Crc32c, VerifyReturnsTheBodyOrThrows) {
  const std::vector<std::byte> body = bytes_of("123456789");
  std::vector<std::byte> coded = with_crc(body);
  EXPECT_EQ(coded[9], std::byte{0x83});  // little-endian
  const auto out = codecs::verify_crc32c(coded);
  EXPECT_EQ(std::vector<std::byte>(out.begin(), out.end()), body);
  coded[0] ^= std::byte{1};
  try {
    codecs::verify_crc32c(coded);
    FAIL() << "a corrupt byte passed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("crc32c: checksum mismatch"), std::string::npos) << e.what();
  }
  EXPECT_THROW(codecs::verify_crc32c(std::vector<std::byte>(3)), Error);
}

}  // namespace
}  // namespace strata
