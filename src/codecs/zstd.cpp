#include "codecs/zstd.hpp"

#include <zstd.h>
#include <zstd_errors.h>

#include <memory>
#include <optional>
#include <string>

#include "codecs/decoded_size.hpp"
#include "strata/error.hpp"

namespace strata::codecs {
namespace {

struct FreeContext {
  void operator()(ZSTD_DCtx* c) const noexcept { ZSTD_freeDCtx(c); }
  void operator()(ZSTD_CCtx* c) const noexcept { ZSTD_freeCCtx(c); }
};

// One context per thread: reusing it avoids reallocating zstd's window for every strip.
template <typename Context, Context* (*create)()>
Context& thread_context() {
  thread_local std::unique_ptr<Context, FreeContext> c(create());
  if (!c) throw Error("", "zstd: out of memory allocating a context");
  return *c;
}

ZSTD_DCtx& thread_dctx() { return thread_context<ZSTD_DCtx, ZSTD_createDCtx>(); }

// The decoded size of the frames in `in` written into `out`, or nullopt when they hold more.
std::optional<std::size_t> decompress_whole(std::span<const std::byte> in, std::span<std::byte> out) {
  const std::size_t r = ZSTD_decompressDCtx(&thread_dctx(), out.data(), out.size(), in.data(), in.size());
  if (!ZSTD_isError(r)) return r;
  if (ZSTD_getErrorCode(r) == ZSTD_error_dstSize_tooSmall) return std::nullopt;
  throw Error("", std::string("zstd: ") + ZSTD_getErrorName(r));
}

// Fills `out` with the start of the content: the streaming API can stop when the output is full.
void decompress_until_full(std::span<const std::byte> in, std::span<std::byte> out) {
  ZSTD_DCtx& ctx = thread_dctx();
  ZSTD_DCtx_reset(&ctx, ZSTD_reset_session_only);  // a stream abandoned earlier must not carry over
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  ZSTD_outBuffer dst{out.data(), out.size(), 0};
  while (dst.pos < dst.size) {
    const std::size_t in_before = src.pos, out_before = dst.pos;
    const std::size_t r = ZSTD_decompressStream(&ctx, &dst, &src);
    if (ZSTD_isError(r)) throw Error("", std::string("zstd: ") + ZSTD_getErrorName(r));
    if (src.pos == in_before && dst.pos == out_before) break;  // input used up
  }
  check_decoded_size("zstd", dst.pos, out.size());
}

}  // namespace

void decompress_zstd(std::span<const std::byte> in, std::span<std::byte> out) {
  check_decoded_size("zstd", decompress_whole(in, out), out.size());
}

bool decompress_zstd_prefix(std::span<const std::byte> in, std::span<std::byte> out) {
  if (const std::optional<std::size_t> written = decompress_whole(in, out)) {
    check_decoded_size("zstd", written, out.size());
    return false;
  }
  decompress_until_full(in, out);
  return true;
}

std::size_t zstd_compress_bound(std::size_t bytes) noexcept { return ZSTD_compressBound(bytes); }

std::size_t compress_zstd(std::span<const std::byte> in, std::span<std::byte> out, int level) {
  const std::size_t r = ZSTD_compressCCtx(&thread_context<ZSTD_CCtx, ZSTD_createCCtx>(), out.data(), out.size(),
                                          in.data(), in.size(), level);
  if (ZSTD_isError(r)) throw Error("", std::string("zstd: ") + ZSTD_getErrorName(r));
  return r;
}

}  // namespace strata::codecs
