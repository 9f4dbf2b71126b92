// TIFF predictors (codecs/predictor.hpp): known rows and round trips.
#include "codecs/predictor.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

#include "codecs/codec_testing.hpp"

namespace strata {
namespace {

using namespace strata::testing;

template <typename T>
std::vector<std::byte> bytes_of_values(const std::vector<T>& values) {
  std::vector<std::byte> v(values.size() * sizeof(T));
  std::memcpy(v.data(), values.data(), v.size());
  return v;
}

TEST(Predictor, HorizontalKnownRows) {
  // Two rows of two 3-sample uint16 pixels: each sample minus the same sample one pixel left.
  auto rows = bytes_of_values<std::uint16_t>({1, 2, 3, 11, 22, 33, 5, 5, 5, 4, 0xffff, 6});
  codecs::apply_horizontal_predictor(rows, 12, 2, 3);
  EXPECT_EQ(rows, bytes_of_values<std::uint16_t>({1, 2, 3, 10, 20, 30, 5, 5, 5, 0xffff, 0xfffa, 1}));
  codecs::undo_horizontal_predictor(rows, 12, 2, 3);
  EXPECT_EQ(rows, bytes_of_values<std::uint16_t>({1, 2, 3, 11, 22, 33, 5, 5, 5, 4, 0xffff, 6}));
}

TEST(Predictor, HorizontalRoundTripsEverySampleWidth) {
  for (std::size_t sample_bytes : {1u, 2u, 4u, 8u}) {
    for (std::size_t samples : {1u, 3u}) {
      SCOPED_TRACE(::testing::Message() << samples << " samples of " << sample_bytes << " bytes");
      const std::size_t row_bytes = 37 * samples * sample_bytes;
      const auto original = incompressible(row_bytes * 5);
      auto rows = original;
      codecs::apply_horizontal_predictor(rows, row_bytes, sample_bytes, samples);
      EXPECT_NE(rows, original);
      codecs::undo_horizontal_predictor(rows, row_bytes, sample_bytes, samples);
      EXPECT_EQ(rows, original);
    }
  }
}

TEST(Predictor, FloatingPointKnownRow) {
  // 1.0f and 2.0f (0x3f800000, 0x40000000) as predictor 3 stores them: byte planes most
  // significant first (3f 40 | 80 00 | 00 00 | 00 00), then each byte minus the one before.
  auto row = bytes_of({0x3f, 0x01, 0x40, 0x80, 0x00, 0x00, 0x00, 0x00});
  std::vector<std::byte> scratch(row.size());
  codecs::undo_float_predictor(row, row.size(), 4, 1, scratch);
  EXPECT_EQ(row, bytes_of_values<float>({1.0f, 2.0f}));
}

TEST(Predictor, FloatingPointInterleavedSamples) {
  // Two pixels of two float32 samples {1, -2}, {3, 0.5}: the differencing strides by pixel.
  const std::vector<float> values{1.0f, -2.0f, 3.0f, 0.5f};
  std::vector<std::uint8_t> planes(16);
  for (std::size_t i = 0; i < 4; ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, &values[i], 4);
    for (std::size_t b = 0; b < 4; ++b) planes[b * 4 + i] = static_cast<std::uint8_t>(bits >> (8 * (3 - b)));
  }
  std::vector<std::byte> row(16);
  for (std::size_t i = 0; i < 16; ++i)
    row[i] = static_cast<std::byte>(i < 2 ? planes[i] : static_cast<std::uint8_t>(planes[i] - planes[i - 2]));
  std::vector<std::byte> scratch(row.size());
  codecs::undo_float_predictor(row, row.size(), 4, 2, scratch);
  EXPECT_EQ(row, bytes_of_values(values));
}

}  // namespace
}  // namespace strata
