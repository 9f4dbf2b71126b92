#include "codecs/byte_order.hpp"

#include <array>
#include <cstdint>
#include <cstring>

namespace strata::codecs {
namespace {

template <typename U>
void swap_all(std::span<std::byte> data) noexcept {
  // memcpy keeps this free of alignment assumptions; compilers turn it into bswap loops.
  for (std::size_t i = 0; i + sizeof(U) <= data.size(); i += sizeof(U)) {
    U v;
    std::memcpy(&v, data.data() + i, sizeof(U));
    if constexpr (sizeof(U) == 2) v = __builtin_bswap16(v);
    if constexpr (sizeof(U) == 4) v = __builtin_bswap32(v);
    if constexpr (sizeof(U) == 8) v = __builtin_bswap64(v);
    std::memcpy(data.data() + i, &v, sizeof(U));
  }
}

constexpr std::array<std::uint8_t, 256> make_bit_reversal_table() {
  std::array<std::uint8_t, 256> t{};
  for (int i = 0; i < 256; ++i) {
    int r = 0;
    for (int b = 0; b < 8; ++b)
      if (i & (1 << b)) r |= 1 << (7 - b);
    t[i] = static_cast<std::uint8_t>(r);
  }
  return t;
}

}  // namespace

void swap_bytes(std::span<std::byte> data, std::size_t sample_bytes) noexcept {
  switch (sample_bytes) {
    case 2: swap_all<std::uint16_t>(data); break;
    case 4: swap_all<std::uint32_t>(data); break;
    case 8: swap_all<std::uint64_t>(data); break;
    default: break;
  }
}

void reverse_bits(std::span<std::byte> data) noexcept {
  static constexpr auto kTable = make_bit_reversal_table();
  for (auto& b : data) b = static_cast<std::byte>(kTable[static_cast<std::uint8_t>(b)]);
}

}  // namespace strata::codecs
