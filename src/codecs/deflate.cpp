#include "codecs/deflate.hpp"

#include <libdeflate.h>

#include <memory>

#include "strata/error.hpp"

namespace strata::codecs {
namespace {

struct FreeDecompressor {
  void operator()(libdeflate_decompressor* d) const noexcept { libdeflate_free_decompressor(d); }
};

// One decompressor per thread: libdeflate's are cheap to keep and not shareable.
libdeflate_decompressor& thread_decompressor() {
  thread_local std::unique_ptr<libdeflate_decompressor, FreeDecompressor> d(
      libdeflate_alloc_decompressor());
  if (!d) throw Error("", "deflate: out of memory allocating a decompressor");
  return *d;
}

}  // namespace

std::optional<std::size_t> inflate_zlib(std::span<const std::byte> in, std::span<std::byte> out) {
  std::size_t in_used = 0;
  std::size_t written = 0;
  // The _ex variant reports how much input it consumed instead of insisting on all of it,
  // which is what tolerates trailing bytes after the stream.
  libdeflate_result r = libdeflate_zlib_decompress_ex(&thread_decompressor(), in.data(), in.size(),
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
