#pragma once
// Zstandard frames (TIFF Compression 50000, numcodecs' Zstd), encoded and decoded straight
// into the caller's memory.
#include <cstddef>
#include <optional>
#include <span>

namespace strata::codecs {

// Decodes the zstd frame(s) in `in` into `out`. Returns the bytes written, or nullopt
// when the content is larger than out.size(). Throws strata::Error (empty path) when the
// data is corrupt.
std::optional<std::size_t> decompress_zstd(std::span<const std::byte> in, std::span<std::byte> out);

// The most bytes compress_zstd may write for `bytes` input bytes.
std::size_t zstd_compress_bound(std::size_t bytes) noexcept;

// Encodes `in` as one zstd frame (content size in the header, as numcodecs needs) at
// `level` into `out`, of at least zstd_compress_bound(in.size()) bytes. Returns the bytes
// written. Thread-safe. Throws strata::Error (empty path) on failure.
std::size_t compress_zstd(std::span<const std::byte> in, std::span<std::byte> out, int level);

}  // namespace strata::codecs
