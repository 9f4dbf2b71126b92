// ImageJ description → ImageJInfo. The description is "key=value" lines; ImageJ and the
// writers that imitate it (tifffile, Micro-Manager) pad it with NULs and may end lines
// with "\r\n". Keys this reader does not use (mode, loop, min, max, ...) are skipped.
#include "formats/tiff/imagej.hpp"

#include <charconv>
#include <cmath>

#include "strata/error.hpp"

namespace strata::tiff {
namespace {

[[noreturn]] void fail(const std::string& cause) {
  throw Error("", "ImageJ description: " + cause);
}

std::string_view trimmed(std::string_view text) {
  auto is_padding = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0';
  };
  while (!text.empty() && is_padding(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_padding(text.back())) text.remove_suffix(1);
  return text;
}

template <class Number>
std::optional<Number> parse_number(std::string_view text) {
  Number value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The counts decide how planes are laid out, so a malformed one is an error.
std::int64_t parse_count(std::string_view key, std::string_view value) {
  std::optional<std::int64_t> count = parse_number<std::int64_t>(value);
  if (!count || *count < 1)
    fail(std::string(key) + "=" + std::string(value) + " is not a positive integer");
  return *count;
}

// Steps are optional metadata: an unreadable one is left out rather than refusing the file.
std::optional<double> parse_step(std::string_view value) {
  std::optional<double> step = parse_number<double>(value);
  if (!step || !std::isfinite(*step)) return std::nullopt;
  return step;
}

// channels * slices * frames, or nullopt when it overflows.
std::optional<std::int64_t> product_of_counts(const ImageJInfo& info) {
  std::int64_t product = 1;
  for (std::int64_t count : {info.channels, info.slices, info.frames})
    if (__builtin_mul_overflow(product, count, &product)) return std::nullopt;
  return product;
}

}  // namespace

std::optional<ImageJInfo> parse_imagej_description(std::string_view description) {
  if (!description.starts_with("ImageJ=")) return std::nullopt;

  ImageJInfo info;
  std::optional<std::int64_t> images;
  while (!description.empty()) {
    std::size_t line_end = description.find('\n');
    std::string_view line = trimmed(description.substr(0, line_end));
    description.remove_prefix(line_end == std::string_view::npos ? description.size()
                                                                  : line_end + 1);
    std::size_t equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    std::string_view key = trimmed(line.substr(0, equals));
    std::string_view value = trimmed(line.substr(equals + 1));
    if (key == "images") images = parse_count(key, value);
    else if (key == "channels") info.channels = parse_count(key, value);
    else if (key == "slices") info.slices = parse_count(key, value);
    else if (key == "frames") info.frames = parse_count(key, value);
    else if (key == "hyperstack") info.hyperstack = value == "true";
    else if (key == "spacing") info.spacing = parse_step(value);
    else if (key == "finterval") info.finterval = parse_step(value);
    else if (key == "unit") info.unit = value;
  }

  std::optional<std::int64_t> product = product_of_counts(info);
  if (!product)
    fail("channels=" + std::to_string(info.channels) + " slices=" + std::to_string(info.slices) +
         " frames=" + std::to_string(info.frames) + " overflow");
  if (!images) {
    info.images = *product;
  } else {
    // A plain stack states only images=; a product of 1 means no hyperstack counts.
    if (*images != *product && *product != 1)
      fail("images=" + std::to_string(*images) + " but channels*slices*frames=" +
           std::to_string(info.channels) + "*" + std::to_string(info.slices) + "*" +
           std::to_string(info.frames) + "=" + std::to_string(*product));
    info.images = *images;
  }
  return info;
}

}  // namespace strata::tiff
