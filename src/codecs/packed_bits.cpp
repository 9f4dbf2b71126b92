#include "codecs/packed_bits.hpp"

#include <cstdint>
#include <cstring>

namespace strata::codecs {

void unpack_to_uint16(std::span<const std::byte> src, std::span<std::byte> dest, std::size_t row_samples,
                      unsigned bits) noexcept {
  const std::size_t in_row = packed_row_bytes(row_samples, bits);
  const std::size_t rows = dest.size() / (2 * row_samples);
  const auto* in = reinterpret_cast<const std::uint8_t*>(src.data());
  const std::uint32_t mask = (1u << bits) - 1;
  for (std::size_t r = 0; r < rows; ++r) {
    const std::uint8_t* row = in + r * in_row;
    std::byte* out = dest.data() + r * row_samples * 2;
    std::uint32_t buffer = 0;  // bits not yet used, the oldest in the high places
    unsigned held = 0;
    std::size_t next = 0;
    for (std::size_t s = 0; s < row_samples; ++s) {
      while (held < bits) {
        buffer = (buffer << 8) | row[next++];
        held += 8;
      }
      held -= bits;
      const auto value = static_cast<std::uint16_t>((buffer >> held) & mask);
      std::memcpy(out + s * 2, &value, 2);
    }
  }
}

}  // namespace strata::codecs
