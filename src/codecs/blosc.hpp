#pragma once
// Blosc (c-blosc 1.x) encoding and decoding. A Blosc buffer describes itself (compressor,
// shuffle, type size), so decoding needs no parameters from the container format.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace strata::codecs {

// Decodes the Blosc buffer at the start of `src` into `dest`, which must be exactly its
// decoded size. Bytes after the buffer's own compressed size are ignored (as c-blosc and
// numcodecs do); fewer bytes than that size are a truncated buffer. Thread-safe (context
// API, no global lock). Throws strata::Error (no path) on a corrupt or truncated buffer, a
// size mismatch or a compressor this libblosc lacks.
void blosc_decode(std::span<const std::byte> src, std::span<std::byte> dest);

// How to encode, in the terms numcodecs.Blosc and the HDF5 Blosc filter use; the defaults
// are numcodecs.Blosc's.
struct BloscOptions {
  std::string_view cname = "lz4";  // a compressor this libblosc has
  int clevel = 5;                  // 0 (store) to 9
  int shuffle = 1;                 // 0 none, 1 byte shuffle, 2 bit shuffle
  std::size_t typesize = 1;        // element size in bytes: what shuffle rearranges by
  std::size_t blocksize = 0;       // 0: Blosc chooses
};

// The most bytes blosc_encode may write for `bytes` input bytes.
std::size_t blosc_encode_bound(std::size_t bytes) noexcept;

// Encodes `src` into `dest` (at least blosc_encode_bound(src.size()) bytes) and returns
// the bytes written. Thread-safe (context API, one internal thread). Throws strata::Error
// (no path) when src exceeds Blosc's 2 GiB limit or the compressor is missing.
std::size_t blosc_encode(std::span<const std::byte> src, std::span<std::byte> dest, const BloscOptions& options);

// Whether this libblosc was built with the compressor `cname` ("lz4", "zstd", ...).
bool blosc_has_compressor(std::string_view cname);
// The compressors this libblosc has, comma-separated.
std::string blosc_compressors();

}  // namespace strata::codecs
