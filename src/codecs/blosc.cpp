#include "codecs/blosc.hpp"

#include <blosc.h>

#include <algorithm>
#include <string>

#include "codecs/decoded_size.hpp"
#include "strata/error.hpp"

namespace strata::codecs {

void blosc_decode(std::span<const std::byte> src, std::span<std::byte> dest) {
  // Validation first: blosc_decompress_ctx trusts the sizes in the header. Bytes after the
  // stream the header describes (some writers store chunks larger than their Blosc buffer)
  // are ignored, as c-blosc's own blosc_decompress and numcodecs ignore them; a buffer
  // shorter than its header says is truncated.
  std::size_t decoded = 0, compressed = 0, block = 0;
  if (src.size() >= BLOSC_MIN_HEADER_LENGTH) blosc_cbuffer_sizes(src.data(), &decoded, &compressed, &block);
  if (src.size() < BLOSC_MIN_HEADER_LENGTH || compressed > src.size() ||
      blosc_cbuffer_validate(src.data(), compressed, &decoded) != 0)
    throw Error("", "blosc: corrupt or truncated buffer (" + std::to_string(src.size()) + " bytes" +
                        (compressed > src.size() ? ", its header says " + std::to_string(compressed) : std::string()) +
                        ")");
  src = src.first(compressed);
  check_decoded_size("blosc", decoded, dest.size());
  // One internal thread: callers decode many chunks at once, one per thread.
  const int n = blosc_decompress_ctx(src.data(), dest.data(), dest.size(), 1);
  if (n < 0 || static_cast<std::size_t>(n) != dest.size()) {
    const char* library = blosc_cbuffer_complib(src.data());  // null for a corrupt header
    throw Error("", std::string("blosc: cannot decompress (compressor library ") + (library ? library : "unknown") +
                        ", code " + std::to_string(n) + ")");
  }
}

std::size_t blosc_encode_bound(std::size_t bytes) noexcept { return bytes + BLOSC_MAX_OVERHEAD; }

std::size_t blosc_encode(std::span<const std::byte> src, std::span<std::byte> dest, const BloscOptions& options) {
  if (src.size() > BLOSC_MAX_BUFFERSIZE)
    throw Error("", "blosc: cannot encode " + std::to_string(src.size()) + " bytes at once (Blosc's limit is " +
                        std::to_string(BLOSC_MAX_BUFFERSIZE) + ")");
  if (dest.size() < blosc_encode_bound(src.size()))
    throw Error("", "blosc: output buffer smaller than blosc_encode_bound");
  const std::string cname(options.cname);
  if (!blosc_has_compressor(cname))
    throw Error("", "blosc: compressor '" + cname + "' is not available (this libblosc has " +
                        blosc_compressors() + ")");
  // With room for the header Blosc stores incompressible data as is: only internal errors remain.
  const int n = blosc_compress_ctx(options.clevel, options.shuffle, options.typesize, src.size(), src.data(),
                                   dest.data(), dest.size(), cname.c_str(), options.blocksize, 1);
  if (n <= 0) throw Error("", "blosc: cannot compress (code " + std::to_string(n) + ")");
  return static_cast<std::size_t>(n);
}

std::string blosc_compressors() { return blosc_list_compressors(); }

bool blosc_has_compressor(std::string_view cname) {
  const std::string_view all = blosc_list_compressors();
  for (std::size_t start = 0; start <= all.size();) {
    const std::size_t comma = std::min(all.find(',', start), all.size());
    if (all.substr(start, comma - start) == cname) return true;
    start = comma + 1;
  }
  return false;
}

}  // namespace strata::codecs
