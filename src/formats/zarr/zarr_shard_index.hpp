#pragma once
// The index of a shard as strata writes it (Zarr v3 `sharding_indexed` with
// index_location "end" and index_codecs bytes (little endian) + crc32c, zarr-python 3's
// default): for each inner chunk in C order its offset in the shard file and its size,
// two little-endian uint64; 2^64−1 for both when the chunk is absent; then the CRC-32C of
// those bytes, 4 bytes little-endian. Pure.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

namespace strata::zarr {

struct ShardEntry {
  std::uint64_t offset = std::numeric_limits<std::uint64_t>::max();  // the defaults: absent
  std::uint64_t nbytes = std::numeric_limits<std::uint64_t>::max();
};

// Bytes of the index of a shard of `chunks` inner chunks.
constexpr std::size_t shard_index_bytes(std::size_t chunks) noexcept { return 16 * chunks + 4; }

// Writes the index of `entries` to `out` (shard_index_bytes(entries.size()) bytes).
void encode_shard_index(std::span<const ShardEntry> entries, std::span<std::byte> out) noexcept;

}  // namespace strata::zarr
