// Fletcher-32 as HDF5 computes it, and its filter undone (codecs/fletcher32.hpp). HDF5's own
// checksums are compared in formats/hdf5/hdf5_driver_test.cpp.
#include "codecs/fletcher32.hpp"

#include <gtest/gtest.h>

#include "codecs/codec_testing.hpp"

namespace strata {
namespace {

using namespace strata::testing;

std::vector<std::byte> pattern(std::size_t n) {
  std::vector<std::byte> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::byte>((i * 37 + 11) % 256);
  return v;
}

std::vector<std::byte> with_checksum(std::vector<std::byte> data, std::uint32_t sum) {
  for (int k = 0; k < 4; ++k) data.push_back(static_cast<std::byte>(sum >> (8 * k)));
  return data;
}

TEST(Fletcher32, KnownVectors) {
  // "abcde" as words 0x6162, 0x6364, 0x6500: sum1 = 0x6162 + 0x6364 + 0x6500 = 76230,
  // 10695 after the end-around carry; sum2 = 0x6162 + 50374 + 76230 = 151534, 20464.
  EXPECT_EQ(codecs::fletcher32(bytes_of("abcde")), (20464u << 16) | 10695u);
  EXPECT_EQ(codecs::fletcher32(bytes_of("abcde")), 0x4ff029c7u);
  EXPECT_EQ(codecs::fletcher32(bytes_of("abcdef")), 0x50562a2du);
  EXPECT_EQ(codecs::fletcher32({}), 0u);
  // Across the 360-word blocks the sums are folded in (720 bytes each), odd and even.
  EXPECT_EQ(codecs::fletcher32(pattern(719)), 0x29496276u);
  EXPECT_EQ(codecs::fletcher32(pattern(720)), 0x2a3f636cu);
  EXPECT_EQ(codecs::fletcher32(pattern(721)), 0xa8ab7e6cu);
  EXPECT_EQ(codecs::fletcher32(pattern(5001)), 0xc410f8a2u);
  // Ones'-complement sums: all ones stays 0xffff rather than wrapping to 0.
  EXPECT_EQ(codecs::fletcher32(std::vector<std::byte>(1000, std::byte{0xff})), 0xffffffffu);
}

TEST(Fletcher32, VerifyReturnsTheDataBeforeTheChecksum) {
  const auto data = pattern(1001);
  const std::uint32_t sum = codecs::fletcher32(data);
  const auto stored = with_checksum(data, sum);
  const auto body = codecs::verify_fletcher32(stored);
  EXPECT_EQ(body.data(), stored.data());
  EXPECT_EQ(std::vector<std::byte>(body.begin(), body.end()), data);
  // HDF5 before 1.6.3 wrote the 16-bit halves byte-swapped; HDF5 reads both.
  const std::uint32_t legacy = ((sum & 0x00ff00ffu) << 8) | ((sum >> 8) & 0x00ff00ffu);
  EXPECT_EQ(codecs::verify_fletcher32(with_checksum(data, legacy)).size(), data.size());
  EXPECT_EQ(codecs::verify_fletcher32(with_checksum({}, 0)).size(), 0u);
}

TEST(Fletcher32, VerifyRefusesMismatchesAndMissingChecksums) {
  const auto data = pattern(100);
  auto stored = with_checksum(data, codecs::fletcher32(data));
  stored[3] ^= std::byte{1};
  EXPECT_EQ(cause_of([&] { codecs::verify_fletcher32(stored); }), "fletcher32: checksum mismatch (corrupt chunk)");
  EXPECT_EQ(cause_of([&] { codecs::verify_fletcher32(pattern(3)); }), "fletcher32: chunk of 3 bytes has no checksum");
}

}  // namespace
}  // namespace strata
