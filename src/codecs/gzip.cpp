#include "codecs/gzip.hpp"

#include <libdeflate.h>

#include <optional>
#include <string>

#include "codecs/decoded_size.hpp"
#include "codecs/deflate.hpp"
#include "strata/error.hpp"

namespace strata::codecs {

std::size_t gzip_compress_bound(std::size_t bytes) noexcept { return libdeflate_gzip_compress_bound(nullptr, bytes); }

std::size_t deflate_gzip(std::span<const std::byte> in, std::span<std::byte> out, int level) {
  const std::size_t n =
      libdeflate_gzip_compress(&thread_deflate_compressor(level), in.data(), in.size(), out.data(), out.size());
  if (n == 0) throw Error("", "gzip: output buffer too small (" + std::to_string(out.size()) + " bytes)");
  return n;
}

void inflate_gzip(std::span<const std::byte> in, std::span<std::byte> out) {
  std::size_t in_used = 0;
  std::size_t written = 0;
  const libdeflate_result r = libdeflate_gzip_decompress_ex(&thread_deflate_decompressor(), in.data(), in.size(),
                                                            out.data(), out.size(), &in_used, &written);
  if (r != LIBDEFLATE_SUCCESS && r != LIBDEFLATE_INSUFFICIENT_SPACE)
    throw Error("", "gzip: corrupt or truncated stream");
  check_decoded_size("gzip", r == LIBDEFLATE_SUCCESS ? std::optional(written) : std::nullopt, out.size());
}

}  // namespace strata::codecs
