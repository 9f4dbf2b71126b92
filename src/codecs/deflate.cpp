#include "codecs/deflate.hpp"

#include <libdeflate.h>

#include <array>
#include <memory>
#include <string>

#include "strata/error.hpp"

namespace strata::codecs {
namespace {

struct FreeDecompressor {
  void operator()(libdeflate_decompressor* d) const noexcept { libdeflate_free_decompressor(d); }
};

struct FreeCompressor {
  void operator()(libdeflate_compressor* c) const noexcept { libdeflate_free_compressor(c); }
};

}  // namespace

libdeflate_decompressor& thread_deflate_decompressor() {
  thread_local std::unique_ptr<libdeflate_decompressor, FreeDecompressor> d(libdeflate_alloc_decompressor());
  if (!d) throw Error("", "deflate: out of memory allocating a decompressor");
  return *d;
}

libdeflate_compressor& thread_deflate_compressor(int level) {
  if (level < 1 || level > 12) throw Error("", "deflate: level " + std::to_string(level) + " is not 1 to 12");
  thread_local std::array<std::unique_ptr<libdeflate_compressor, FreeCompressor>, 13> compressors;
  auto& c = compressors[static_cast<std::size_t>(level)];
  if (!c) c.reset(libdeflate_alloc_compressor(level));
  if (!c) throw Error("", "deflate: out of memory allocating a compressor");
  return *c;
}

std::size_t zlib_compress_bound(std::size_t bytes) noexcept { return libdeflate_zlib_compress_bound(nullptr, bytes); }

std::size_t deflate_zlib(std::span<const std::byte> in, std::span<std::byte> out, int level) {
  const std::size_t n =
      libdeflate_zlib_compress(&thread_deflate_compressor(level), in.data(), in.size(), out.data(), out.size());
  if (n == 0) throw Error("", "deflate: output buffer too small (" + std::to_string(out.size()) + " bytes)");
  return n;
}

std::optional<std::size_t> inflate_zlib(std::span<const std::byte> in, std::span<std::byte> out) {
  std::size_t in_used = 0;
  std::size_t written = 0;
  // The _ex variant reports how much input it consumed instead of insisting on all of it,
  // which is what tolerates trailing bytes after the stream.
  libdeflate_result r = libdeflate_zlib_decompress_ex(&thread_deflate_decompressor(), in.data(), in.size(),
                                                      out.data(), out.size(), &in_used, &written);
  switch (r) {
    case LIBDEFLATE_SUCCESS: return written;
    case LIBDEFLATE_INSUFFICIENT_SPACE: return std::nullopt;
    case LIBDEFLATE_SHORT_OUTPUT: return written;  // only with an actual_out of nullptr
    case LIBDEFLATE_BAD_DATA: break;
  }
  throw Error("", "deflate: corrupt or truncated zlib stream");
}

}  // namespace strata::codecs
