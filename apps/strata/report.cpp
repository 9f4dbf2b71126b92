#include "report.hpp"

#include <xxhash.h>

#include <array>
#include <charconv>
#include <cstdio>

#include "strata/error.hpp"

namespace strata::cli {

std::string format_bytes(std::uint64_t bytes) {
  constexpr std::array<const char*, 5> kUnits{"B", "kB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1000 && unit + 1 < kUnits.size()) {
    value /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, kUnits[unit]);
  return text;
}

std::string format_shape(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string xxh3_hex(const Buffer& data) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx",
                static_cast<unsigned long long>(XXH3_64bits(data.data(), data.size())));
  return text;
}

}  // namespace strata::cli

namespace strata::cli {

std::uint64_t parse_bytes(const std::string& text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [rest, ec] = std::from_chars(text.data(), end, value);
  std::string unit(rest, end);
  if (unit.size() > 1 && (unit.ends_with("iB") || unit.ends_with("B"))) unit = unit.substr(0, 1);
  int shift = -1;
  if (unit.empty()) shift = 0;
  if (unit == "K" || unit == "k") shift = 10;
  if (unit == "M" || unit == "m") shift = 20;
  if (unit == "G" || unit == "g") shift = 30;
  if (unit == "T" || unit == "t") shift = 40;
  if (ec != std::errc() || rest == text.data() || shift < 0 || value > (~std::uint64_t{0} >> shift))
    throw Error("", "'" + text + "' is not a size (e.g. 256M, 4G or a byte count)");
  return value << shift;
}

}  // namespace strata::cli
