#include "codecs/fletcher32.hpp"

#include <string>

#include "strata/error.hpp"

namespace strata::codecs {

std::uint32_t fletcher32(std::span<const std::byte> data) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t words = data.size() / 2;
  std::uint32_t sum1 = 0, sum2 = 0;
  // 360 words is the most that can be summed before the 32-bit sums could overflow.
  while (words) {
    std::size_t n = words > 360 ? 360 : words;
    words -= n;
    do {
      sum1 += (std::uint32_t{p[0]} << 8) | p[1];
      p += 2;
      sum2 += sum1;
    } while (--n);
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  if (data.size() % 2) {
    sum1 += std::uint32_t{*p} << 8;
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  sum1 = (sum1 & 0xffff) + (sum1 >> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  return (sum2 << 16) | sum1;
}

std::span<const std::byte> verify_fletcher32(std::span<const std::byte> data) {
  if (data.size() < 4)
    throw Error("", "fletcher32: chunk of " + std::to_string(data.size()) + " bytes has no checksum");
  const auto body = data.first(data.size() - 4);
  // Stored little endian. HDF5 before 1.6.3 stored it with its 16-bit halves byte-swapped
  // on little-endian machines; HDF5 accepts both, and so does this.
  const auto* tail = reinterpret_cast<const unsigned char*>(data.data() + body.size());
  const std::uint32_t stored = tail[0] | (tail[1] << 8) | (tail[2] << 16) | (std::uint32_t{tail[3]} << 24);
  const std::uint32_t sum = fletcher32(body);
  const std::uint32_t reversed = ((sum & 0x00ff00ffu) << 8) | ((sum >> 8) & 0x00ff00ffu);
  if (stored != sum && stored != reversed) throw Error("", "fletcher32: checksum mismatch (corrupt chunk)");
  return body;
}

}  // namespace strata::codecs
