#pragma once
// Zlib-wrapped Deflate (TIFF Compression 8 and 32946) decoded by libdeflate straight into
// the caller's memory. Knows nothing of files: errors carry no path; callers add it.
#include <cstddef>
#include <optional>
#include <span>

namespace strata::codecs {

// Inflates one zlib stream from `in` into `out`. Bytes after the end of the stream are
// ignored (some writers pad strips). Returns the number of bytes written, or nullopt when
// the stream holds more than out.size() bytes (nothing useful is left in `out` then).
// Throws strata::Error (empty path) when the stream is corrupt.
std::optional<std::size_t> inflate_zlib(std::span<const std::byte> in, std::span<std::byte> out);

}  // namespace strata::codecs
