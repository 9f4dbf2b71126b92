#pragma once
// HDF5's Fletcher32 filter (3): a checksum appended to each chunk.
#include <cstddef>
#include <cstdint>
#include <span>

namespace strata::codecs {

// Fletcher-32 as HDF5 computes it (H5_checksum_fletcher32): sums of 16-bit big-endian
// words, an odd last byte taken as the high byte of a last word.
std::uint32_t fletcher32(std::span<const std::byte> data) noexcept;

// The filter undone: checks the checksum in the last 4 bytes of `data` and returns the bytes
// before it. Throws strata::Error (empty path, "fletcher32: ...") when `data` is too short
// to hold one or it does not match.
std::span<const std::byte> verify_fletcher32(std::span<const std::byte> data);

}  // namespace strata::codecs
