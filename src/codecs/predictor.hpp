#pragma once
// TIFF predictors on rows, in place: applied before encoding, undone after decoding. Rows
// are `row_bytes` long and hold pixels of `samples` interleaved samples of `sample_bytes`
// bytes each.
#include <cstddef>
#include <span>

namespace strata::codecs {

// Predictor 2 (horizontal differencing): each sample is stored as the difference from the
// same sample of the previous pixel, in modular integer arithmetic of the sample width
// (also for floating-point samples, as libtiff does). Values must be in native byte order.
void undo_horizontal_predictor(std::span<std::byte> rows, std::size_t row_bytes,
                               std::size_t sample_bytes, std::size_t samples) noexcept;
// The encoding direction of predictor 2: undo_horizontal_predictor restores the rows.
void apply_horizontal_predictor(std::span<std::byte> rows, std::size_t row_bytes,
                                std::size_t sample_bytes, std::size_t samples) noexcept;

// Predictor 3 (floating point): each row stores its samples' bytes split into planes, most
// significant byte first, then differenced byte-wise across the row. The result is native
// byte order whatever the file's byte order. `scratch` must hold row_bytes bytes.
void undo_float_predictor(std::span<std::byte> rows, std::size_t row_bytes,
                          std::size_t sample_bytes, std::size_t samples,
                          std::span<std::byte> scratch) noexcept;

}  // namespace strata::codecs
