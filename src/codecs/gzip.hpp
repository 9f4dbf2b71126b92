#pragma once
// Gzip-wrapped Deflate (RFC 1952, numcodecs' GZip) encoded and decoded by libdeflate straight
// into the caller's memory; the zlib wrapper is in deflate.hpp. Errors carry no path; callers
// add it.
#include <cstddef>
#include <span>

namespace strata::codecs {

// Inflates the first gzip member of `in` into `out`, which must be exactly its decoded
// size. Bytes after it are ignored. Throws strata::Error (empty path, "gzip: ...") when
// the data is corrupt or decodes to another size.
void inflate_gzip(std::span<const std::byte> in, std::span<std::byte> out);

// The most bytes deflate_gzip may write for `bytes` input bytes.
std::size_t gzip_compress_bound(std::size_t bytes) noexcept;

// Encodes `in` as one gzip member at `level` (1 to 12; zlib's 1 to 9 mean about the same)
// into `out`, of at least gzip_compress_bound(in.size()) bytes. Returns the bytes written.
// Thread-safe. Throws strata::Error (empty path) on failure.
std::size_t deflate_gzip(std::span<const std::byte> in, std::span<std::byte> out, int level);

}  // namespace strata::codecs
