#pragma once
// Gzip-wrapped Deflate (RFC 1952, numcodecs' GZip) decoded by libdeflate straight into the
// caller's memory; the zlib wrapper is in deflate.hpp. Errors carry no path; callers add it.
#include <cstddef>
#include <optional>
#include <span>

namespace strata::codecs {

// Inflates the first gzip member of `in` into `out`. Bytes after it are ignored. Returns
// the number of bytes written, or nullopt when the member holds more than out.size()
// bytes. Throws strata::Error (empty path) when the data is corrupt.
std::optional<std::size_t> inflate_gzip(std::span<const std::byte> in, std::span<std::byte> out);

}  // namespace strata::codecs
