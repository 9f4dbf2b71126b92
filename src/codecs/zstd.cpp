#include "codecs/zstd.hpp"

#include <zstd.h>
#include <zstd_errors.h>

#include <memory>
#include <string>

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

}  // namespace

std::optional<std::size_t> decompress_zstd(std::span<const std::byte> in, std::span<std::byte> out) {
  std::size_t r = ZSTD_decompressDCtx(&thread_context<ZSTD_DCtx, ZSTD_createDCtx>(), out.data(), out.size(),
                                      in.data(), in.size());
  if (!ZSTD_isError(r)) return r;
  if (ZSTD_getErrorCode(r) == ZSTD_error_dstSize_tooSmall) return std::nullopt;
  throw Error("", std::string("zstd: ") + ZSTD_getErrorName(r));
}

std::size_t zstd_compress_bound(std::size_t bytes) noexcept { return ZSTD_compressBound(bytes); }

std::size_t compress_zstd(std::span<const std::byte> in, std::span<std::byte> out, int level) {
  const std::size_t r = ZSTD_compressCCtx(&thread_context<ZSTD_CCtx, ZSTD_createCCtx>(), out.data(), out.size(),
                                          in.data(), in.size(), level);
  if (ZSTD_isError(r)) throw Error("", std::string("zstd: ") + ZSTD_getErrorName(r));
  return r;
}

}  // namespace strata::codecs
