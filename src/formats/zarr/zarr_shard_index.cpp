#include "formats/zarr/zarr_shard_index.hpp"

#include "codecs/crc32c.hpp"

namespace strata::zarr {
namespace {

void store_le(std::byte* p, std::uint64_t v, int bytes) noexcept {
  for (int k = 0; k < bytes; ++k) p[k] = static_cast<std::byte>(v >> (8 * k));
}

}  // namespace

void encode_shard_index(std::span<const ShardEntry> entries, std::span<std::byte> out) noexcept {
  std::byte* p = out.data();
  for (const ShardEntry& e : entries) {
    store_le(p, e.offset, 8);
    store_le(p + 8, e.nbytes, 8);
    p += 16;
  }
  const std::size_t index = 16 * entries.size();
  store_le(p, codecs::crc32c(out.first(index)), 4);
}

}  // namespace strata::zarr
