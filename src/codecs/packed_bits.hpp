#pragma once
// Packed integer samples narrower than their container, as TIFF stores BitsPerSample=12
// (and 10, 14, ...): one bit stream per row, most significant bit first, each row starting
// on a byte boundary (libtiff and tifffile write them so).
#include <cstddef>
#include <span>

namespace strata::codecs {

// Bytes of one packed row of `samples` samples of `bits` bits.
constexpr std::size_t packed_row_bytes(std::size_t samples, unsigned bits) noexcept {
  return (samples * bits + 7) / 8;
}

// Unpacks `dest.size() / (2 * row_samples)` rows of `row_samples` samples of `bits` bits
// (9 to 15) from `src` into native uint16 values (not scaled: a 12-bit 4095 reads 4095, as
// Bio-Formats and tifffile return them). `src` holds at least that many packed rows;
// `dest.size()` is a multiple of 2 * row_samples.
void unpack_to_uint16(std::span<const std::byte> src, std::span<std::byte> dest, std::size_t row_samples,
                      unsigned bits) noexcept;

}  // namespace strata::codecs
