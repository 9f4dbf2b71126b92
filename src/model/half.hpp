#pragma once
// IEEE 754 half precision (DType::float16) from a float: strata stores float16 as raw bits
// and converts only where metadata gives a value as a number (fill values).
#include <bit>
#include <cmath>
#include <cstdint>

namespace strata {

// Round to nearest, ties to even; overflow gives infinity, NaN stays a quiet NaN.
inline std::uint16_t half_bits(float value) noexcept {
  const std::uint32_t f = std::bit_cast<std::uint32_t>(value);
  const auto sign = static_cast<std::uint16_t>((f >> 16) & 0x8000u);
  const std::uint32_t magnitude = f & 0x7fffffffu;
  if (magnitude > 0x7f800000u) return sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu);  // NaN
  if (magnitude >= 0x477ff000u) return sign | 0x7c00u;  // >= 65520 rounds to infinity
  if (magnitude < 0x38800000u) {                         // below 2^-14: subnormal half or zero
    const float scaled = std::bit_cast<float>(magnitude) * 16777216.0f;  // in units of 2^-24, exact
    return sign | static_cast<std::uint16_t>(std::nearbyint(scaled));
  }
  std::uint32_t h = (magnitude - 0x38000000u) >> 13;  // exponent bias 127 -> 15
  const std::uint32_t rest = magnitude & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
  return sign | static_cast<std::uint16_t>(h);
}

}  // namespace strata
