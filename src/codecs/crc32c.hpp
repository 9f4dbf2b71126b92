#pragma once
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as Zarr v3's `crc32c` codec
// appends it: 4 bytes, little-endian, after the data. Table-driven (slicing by 8): Debian's
// zlib has CRC-32 only.
#include <cstddef>
#include <cstdint>
#include <span>

namespace strata::codecs {

// The CRC-32C of `data` (init 0xFFFFFFFF, final xor 0xFFFFFFFF): "123456789" gives 0xE3069283.
std::uint32_t crc32c(std::span<const std::byte> data) noexcept;

// The codec undone: checks the little-endian CRC-32C in the last 4 bytes of `data` and returns
// the bytes before it. Throws strata::Error (empty path, "crc32c: ...") when `data` is
// shorter than 4 bytes or the checksum does not match.
std::span<const std::byte> verify_crc32c(std::span<const std::byte> data);

}  // namespace strata::codecs
