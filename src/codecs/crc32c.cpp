#include "codecs/crc32c.hpp"

#include <array>
#include <cstdio>
#include <string>

#include "strata/error.hpp"

namespace strata::codecs {
namespace {

using Tables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr Tables make_tables() {
  Tables t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t[0][i] = c;
  }
  for (std::size_t s = 1; s < 8; ++s)
    for (std::size_t i = 0; i < 256; ++i) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFFu];
  return t;
}

constexpr Tables tables = make_tables();

std::uint32_t load_le32(const std::byte* p) noexcept {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

std::string hex(std::uint32_t v) {
  char text[11];
  std::snprintf(text, sizeof text, "0x%08X", static_cast<unsigned>(v));
  return text;
}

}  // namespace

std::uint32_t crc32c(std::span<const std::byte> data) noexcept {
  std::uint32_t c = 0xFFFFFFFFu;
  const std::byte* p = data.data();
  std::size_t n = data.size();
  while (n >= 8) {
    const std::uint32_t lo = load_le32(p) ^ c;
    const std::uint32_t hi = load_le32(p + 4);
    c = tables[7][lo & 0xFF] ^ tables[6][(lo >> 8) & 0xFF] ^ tables[5][(lo >> 16) & 0xFF] ^ tables[4][lo >> 24] ^
        tables[3][hi & 0xFF] ^ tables[2][(hi >> 8) & 0xFF] ^ tables[1][(hi >> 16) & 0xFF] ^ tables[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) c = (c >> 8) ^ tables[0][(c ^ static_cast<std::uint32_t>(*p++)) & 0xFF];
  return c ^ 0xFFFFFFFFu;
}

std::span<const std::byte> verify_crc32c(std::span<const std::byte> data) {
  if (data.size() < 4)
    throw Error("", "crc32c: " + std::to_string(data.size()) + " bytes cannot hold a 4-byte checksum");
  const std::span<const std::byte> body = data.first(data.size() - 4);
  const std::uint32_t stored = load_le32(data.data() + body.size());
  const std::uint32_t computed = crc32c(body);
  if (stored != computed)
    throw Error("", "crc32c: checksum mismatch (stored " + hex(stored) + ", computed " + hex(computed) + ")");
  return body;
}

}  // namespace strata::codecs
