#include "model/pyramid.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <type_traits>

#include "model/half.hpp"
#include "strata/error.hpp"

namespace strata {
namespace {

__extension__ typedef __int128 Int128;  // GCC and Clang; silences -Wpedantic

// Nearest integer to sum/count, ties to even (count is 1, 2 or 4).
template <typename Sum>
Sum rounded_mean(Sum sum, Sum count) {
  Sum q = sum / count, r = sum % count;
  if (r < 0) {  // floor division for negative sums
    --q;
    r += count;
  }
  if (2 * r > count || (2 * r == count && (q & 1) != 0)) ++q;
  return q;
}

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
  std::uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else {  // zero or subnormal: mantissa × 2^-24, exact in float
    const float v = static_cast<float>(mantissa) * (1.0f / 16777216.0f);
    return sign ? -v : v;
  }
  return std::bit_cast<float>(bits);
}

// Element access by dtype: load as an arithmetic type, store back.
template <typename T>
struct Plain {
  using Value = T;
  static T load(const std::byte* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static void store(std::byte* p, T v) { std::memcpy(p, &v, sizeof v); }
};
struct Half {
  using Value = float;
  static float load(const std::byte* p) {
    std::uint16_t h;
    std::memcpy(&h, p, sizeof h);
    return half_to_float(h);
  }
  static void store(std::byte* p, float v) {
    const std::uint16_t h = half_bits(v);
    std::memcpy(p, &h, sizeof h);
  }
};

template <typename Access, std::size_t Size>
void downsample(const View& from, const View& to) {
  using Value = typename Access::Value;
  const std::int64_t height = from.shape[0], width = from.shape[1];
  const std::int64_t samples = from.shape.size() > 2 ? from.shape[2] : 1;
  const std::int64_t out_height = to.shape[0], out_width = to.shape[1];
  const auto at = [&](std::int64_t y, std::int64_t x, std::int64_t s) {
    return from.data + ((y * width + x) * samples + s) * static_cast<std::int64_t>(Size);
  };
  for (std::int64_t oy = 0; oy < out_height; ++oy)
    for (std::int64_t ox = 0; ox < out_width; ++ox)
      for (std::int64_t s = 0; s < samples; ++s) {
        const std::int64_t y0 = 2 * oy, x0 = 2 * ox;
        const std::int64_t y1 = std::min(y0 + 1, height - 1), x1 = std::min(x0 + 1, width - 1);
        const std::int64_t count = (y1 - y0 + 1) * (x1 - x0 + 1);
        std::byte* out = to.data + ((oy * out_width + ox) * samples + s) * static_cast<std::int64_t>(Size);
        if constexpr (std::is_floating_point_v<Value>) {
          double sum = 0;
          for (std::int64_t y = y0; y <= y1; ++y)
            for (std::int64_t x = x0; x <= x1; ++x) sum += static_cast<double>(Access::load(at(y, x, s)));
          Access::store(out, static_cast<Value>(sum / static_cast<double>(count)));
        } else {
          // 64-bit sums of four 64-bit values need 66 bits.
          using Sum = std::conditional_t<sizeof(Value) == 8, Int128, std::int64_t>;
          Sum sum = 0;
          for (std::int64_t y = y0; y <= y1; ++y)
            for (std::int64_t x = x0; x <= x1; ++x) sum += static_cast<Sum>(Access::load(at(y, x, s)));
          Access::store(out, static_cast<Value>(rounded_mean<Sum>(sum, static_cast<Sum>(count))));
        }
      }
}

}  // namespace

Shape level_shape(Shape shape, int plane_axes, int level) {
  const std::size_t y = shape.size() - static_cast<std::size_t>(plane_axes);
  for (int k = 0; k < level; ++k)
    for (std::size_t axis = y; axis < y + 2 && axis < shape.size(); ++axis) shape[axis] = (shape[axis] + 1) / 2;
  return shape;
}

void downsample_plane(const View& from, const View& to) {
  if (from.dtype != to.dtype || from.rank() < 2 || from.rank() > 3 || to.rank() != from.rank() ||
      to.shape != level_shape(from.shape, static_cast<int>(from.rank()), 1) || !from.is_contiguous() ||
      !to.is_contiguous())
    throw Error("", "downsample_plane: the planes do not match");
  switch (from.dtype) {
    case DType::uint8: return downsample<Plain<std::uint8_t>, 1>(from, to);
    case DType::bool_: return downsample<Plain<std::uint8_t>, 1>(from, to);
    case DType::uint16: return downsample<Plain<std::uint16_t>, 2>(from, to);
    case DType::uint32: return downsample<Plain<std::uint32_t>, 4>(from, to);
    case DType::uint64: return downsample<Plain<std::uint64_t>, 8>(from, to);
    case DType::int8: return downsample<Plain<std::int8_t>, 1>(from, to);
    case DType::int16: return downsample<Plain<std::int16_t>, 2>(from, to);
    case DType::int32: return downsample<Plain<std::int32_t>, 4>(from, to);
    case DType::int64: return downsample<Plain<std::int64_t>, 8>(from, to);
    case DType::float16: return downsample<Half, 2>(from, to);
    case DType::float32: return downsample<Plain<float>, 4>(from, to);
    case DType::float64: return downsample<Plain<double>, 8>(from, to);
  }
}

}  // namespace strata
