#pragma once
// Blosc (c-blosc 1.x) decoding. A Blosc buffer describes itself (compressor, shuffle,
// type size), so decoding needs no parameters from the container format.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace strata::codecs {

// Decodes the Blosc buffer `src` into `dest`, which must be exactly its decoded size.
// Thread-safe (context API, no global lock). Throws strata::Error (no path) on a corrupt
// buffer, a size mismatch or a compressor this libblosc lacks.
void blosc_decode(std::span<const std::byte> src, std::span<std::byte> dest);

// Whether this libblosc was built with the compressor `cname` ("lz4", "zstd", ...).
bool blosc_has_compressor(std::string_view cname);
// The compressors this libblosc has, comma-separated.
std::string blosc_compressors();

}  // namespace strata::codecs
