#pragma once
// Zlib-wrapped Deflate (TIFF Compression 8 and 32946) encoded and decoded by libdeflate
// straight into the caller's memory. Knows nothing of files: errors carry no path; callers
// add it.
#include <cstddef>
#include <span>

struct libdeflate_compressor;
struct libdeflate_decompressor;

namespace strata::codecs {

// This thread's libdeflate compressor for `level` (1 to 12; zlib's 1 to 9 mean about the
// same), allocated on first use and kept: one per thread, as they are not shareable.
// Throws strata::Error (empty path) for another level or when out of memory.
libdeflate_compressor& thread_deflate_compressor(int level);
// This thread's libdeflate decompressor (zlib, gzip and raw deflate streams alike), kept the same way.
libdeflate_decompressor& thread_deflate_decompressor();

// The most bytes deflate_zlib may write for `bytes` input bytes.
std::size_t zlib_compress_bound(std::size_t bytes) noexcept;

// Encodes `in` as one zlib stream at `level` into `out`, of at least
// zlib_compress_bound(in.size()) bytes. Returns the bytes written. Thread-safe.
std::size_t deflate_zlib(std::span<const std::byte> in, std::span<std::byte> out, int level);

// Inflates one zlib stream from `in` into `out`, which must be exactly its decoded size.
// Bytes after the end of the stream are ignored (some writers pad strips). Throws
// strata::Error (empty path, "zlib: ...") when the stream is corrupt or decodes to another size.
void inflate_zlib(std::span<const std::byte> in, std::span<std::byte> out);

// As inflate_zlib, but a stream holding more than out.size() bytes is cut there, as libtiff
// does by stopping when its buffer is full: some TIFF writers code the last strip at full
// height. Returns whether the stream held more. Throws when it holds fewer or is corrupt
// before out is full (what follows is not read).
bool inflate_zlib_prefix(std::span<const std::byte> in, std::span<std::byte> out);

}  // namespace strata::codecs
