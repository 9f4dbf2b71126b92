#pragma once
// Zstandard frames (TIFF Compression 50000, numcodecs' Zstd), encoded and decoded straight
// into the caller's memory.
#include <cstddef>
#include <span>

namespace strata::codecs {

// Decodes the zstd frame(s) in `in` into `out`, which must be exactly their decoded size.
// Throws strata::Error (empty path, "zstd: ...") when the data is corrupt or decodes to
// another size.
void decompress_zstd(std::span<const std::byte> in, std::span<std::byte> out);

// As decompress_zstd, but content larger than out.size() is cut there, as libtiff does by
// stopping when its buffer is full: some TIFF writers code the last strip at full height.
// Returns whether the frames held more. Throws when they hold fewer or are corrupt before
// out is full (what follows is not read).
bool decompress_zstd_prefix(std::span<const std::byte> in, std::span<std::byte> out);

// The most bytes compress_zstd may write for `bytes` input bytes.
std::size_t zstd_compress_bound(std::size_t bytes) noexcept;

// Encodes `in` as one zstd frame (content size in the header, as numcodecs needs) at
// `level` into `out`, of at least zstd_compress_bound(in.size()) bytes. Returns the bytes
// written. Thread-safe. Throws strata::Error (empty path) on failure.
std::size_t compress_zstd(std::span<const std::byte> in, std::span<std::byte> out, int level);

}  // namespace strata::codecs
