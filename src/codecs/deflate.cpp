#include "codecs/deflate.hpp"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "codecs/decoded_size.hpp"
#include "strata/error.hpp"

namespace strata::codecs {
namespace {

struct FreeDecompressor {
  void operator()(libdeflate_decompressor* d) const noexcept { libdeflate_free_decompressor(d); }
};

struct FreeCompressor {
  void operator()(libdeflate_compressor* c) const noexcept { libdeflate_free_compressor(c); }
};

struct InflateStream {
  z_stream z{};
  ~InflateStream() { inflateEnd(&z); }
};

// The decoded size of the stream in `in` written into `out`, or nullopt when it holds more.
std::optional<std::size_t> inflate_whole(std::span<const std::byte> in, std::span<std::byte> out) {
  std::size_t in_used = 0;
  std::size_t written = 0;
  // The _ex variant reports how much input it consumed instead of insisting on all of it,
  // which is what tolerates trailing bytes after the stream.
  const libdeflate_result r = libdeflate_zlib_decompress_ex(&thread_deflate_decompressor(), in.data(), in.size(),
                                                            out.data(), out.size(), &in_used, &written);
  switch (r) {
    case LIBDEFLATE_SUCCESS: return written;
    case LIBDEFLATE_INSUFFICIENT_SPACE: return std::nullopt;
    case LIBDEFLATE_SHORT_OUTPUT: return written;  // only with an actual_out of nullptr
    case LIBDEFLATE_BAD_DATA: break;
  }
  throw Error("", "zlib: corrupt or truncated stream");
}

// Fills `out` with the start of the stream. libdeflate decodes whole streams only; zlib's
// streaming inflate can stop when the output is full.
void inflate_until_full(std::span<const std::byte> in, std::span<std::byte> out) {
  InflateStream s;
  if (inflateInit(&s.z) != Z_OK) throw Error("", "zlib: out of memory allocating a decompressor");
  s.z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data()));
  s.z.next_out = reinterpret_cast<Bytef*>(out.data());
  std::size_t in_left = in.size(), out_left = out.size();
  constexpr std::size_t kMost = std::numeric_limits<uInt>::max();  // zlib counts in uInt
  while (out_left > 0) {
    s.z.avail_in = static_cast<uInt>(std::min(in_left, kMost));
    s.z.avail_out = static_cast<uInt>(std::min(out_left, kMost));
    const uInt given_in = s.z.avail_in, given_out = s.z.avail_out;
    const int r = inflate(&s.z, Z_NO_FLUSH);
    in_left -= given_in - s.z.avail_in;
    out_left -= given_out - s.z.avail_out;
    if (r == Z_STREAM_END) break;
    if (r != Z_OK) throw Error("", "zlib: corrupt or truncated stream");
  }
  check_decoded_size("zlib", out.size() - out_left, out.size());
}

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

void inflate_zlib(std::span<const std::byte> in, std::span<std::byte> out) {
  check_decoded_size("zlib", inflate_whole(in, out), out.size());
}

bool inflate_zlib_prefix(std::span<const std::byte> in, std::span<std::byte> out) {
  if (const std::optional<std::size_t> written = inflate_whole(in, out)) {
    check_decoded_size("zlib", written, out.size());
    return false;
  }
  inflate_until_full(in, out);
  return true;
}

}  // namespace strata::codecs
