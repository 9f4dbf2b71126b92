#include "codecs/predictor.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

namespace strata::codecs {
namespace {

template <typename U>
U load(const std::byte* p) noexcept {
  U v;
  std::memcpy(&v, p, sizeof(U));
  return v;
}

template <typename U>
void accumulate_row(std::byte* row, std::size_t count, std::size_t stride) noexcept {
  // count is the number of samples in the row; values may be unaligned.
  if (stride == 1 && count > 0) {
    // The running sum stays in a register: reloading each value just stored would chain
    // every addition through store-to-load forwarding (several times slower).
    U sum = load<U>(row);
    for (std::size_t i = 1; i < count; ++i) {
      sum = static_cast<U>(sum + load<U>(row + i * sizeof(U)));
      std::memcpy(row + i * sizeof(U), &sum, sizeof(U));
    }
    return;
  }
  for (std::size_t i = stride; i < count; ++i) {
    U prev, cur;
    std::memcpy(&prev, row + (i - stride) * sizeof(U), sizeof(U));
    std::memcpy(&cur, row + i * sizeof(U), sizeof(U));
    cur = static_cast<U>(cur + prev);
    std::memcpy(row + i * sizeof(U), &cur, sizeof(U));
  }
}

template <typename U>
void difference_row(std::byte* row, std::size_t count, std::size_t stride) noexcept {
  // Backwards, so that every sample is differenced from its neighbour's original value.
  for (std::size_t i = count; i-- > stride;) {
    const U difference = static_cast<U>(load<U>(row + i * sizeof(U)) - load<U>(row + (i - stride) * sizeof(U)));
    std::memcpy(row + i * sizeof(U), &difference, sizeof(U));
  }
}

// Calls row_op(U{}, row, samples in the row, samples per pixel) on every row, U the unsigned
// integer of the sample width (rows of other widths are left alone).
template <typename RowOp>
void for_each_row(std::span<std::byte> rows, std::size_t row_bytes, std::size_t sample_bytes, std::size_t samples,
                  RowOp row_op) noexcept {
  auto each = [&]<typename U>(U zero) {
    for (std::size_t r = 0; r + row_bytes <= rows.size(); r += row_bytes)
      row_op(zero, rows.data() + r, row_bytes / sizeof(U), samples);
  };
  switch (sample_bytes) {
    case 1: each(std::uint8_t{}); break;
    case 2: each(std::uint16_t{}); break;
    case 4: each(std::uint32_t{}); break;
    case 8: each(std::uint64_t{}); break;
    default: break;
  }
}

}  // namespace

void undo_horizontal_predictor(std::span<std::byte> rows, std::size_t row_bytes,
                               std::size_t sample_bytes, std::size_t samples) noexcept {
  for_each_row(rows, row_bytes, sample_bytes, samples,
               [](auto zero, std::byte* row, std::size_t count, std::size_t stride) {
                 accumulate_row<decltype(zero)>(row, count, stride);
               });
}

void apply_horizontal_predictor(std::span<std::byte> rows, std::size_t row_bytes,
                                std::size_t sample_bytes, std::size_t samples) noexcept {
  for_each_row(rows, row_bytes, sample_bytes, samples,
               [](auto zero, std::byte* row, std::size_t count, std::size_t stride) {
                 difference_row<decltype(zero)>(row, count, stride);
               });
}

void undo_float_predictor(std::span<std::byte> rows, std::size_t row_bytes,
                          std::size_t sample_bytes, std::size_t samples,
                          std::span<std::byte> scratch) noexcept {
  static_assert(std::endian::native == std::endian::little, "strata assumes a little-endian host");
  const std::size_t count = row_bytes / sample_bytes;  // samples in a row
  for (std::size_t r = 0; r + row_bytes <= rows.size(); r += row_bytes) {
    auto* row = reinterpret_cast<std::uint8_t*>(rows.data() + r);
    for (std::size_t i = samples; i < row_bytes; ++i)
      row[i] = static_cast<std::uint8_t>(row[i] + row[i - samples]);
    std::memcpy(scratch.data(), row, row_bytes);
    const auto* planes = reinterpret_cast<const std::uint8_t*>(scratch.data());
    // Byte plane 0 holds the most significant bytes; native little-endian puts them last.
    for (std::size_t i = 0; i < count; ++i)
      for (std::size_t b = 0; b < sample_bytes; ++b)
        row[i * sample_bytes + b] = planes[(sample_bytes - 1 - b) * count + i];
  }
}

}  // namespace strata::codecs
