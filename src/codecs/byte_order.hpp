#pragma once
// In-place fix-ups of raw sample bytes: byte order and TIFF FillOrder=2 bit order.
#include <cstddef>
#include <span>

namespace strata::codecs {

// Reverses the bytes of every `sample_bytes`-wide sample in `data` (1, 2, 4 or 8; 1 is a
// no-op). data.size() must be a multiple of sample_bytes.
void swap_bytes(std::span<std::byte> data, std::size_t sample_bytes) noexcept;

// Reverses the bit order of every byte (TIFF FillOrder=2 data, as libtiff does on read).
void reverse_bits(std::span<std::byte> data) noexcept;

}  // namespace strata::codecs
