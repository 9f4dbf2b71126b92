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
};

// One context per thread: reusing it avoids reallocating zstd's window for every strip.
ZSTD_DCtx& thread_context() {
  thread_local std::unique_ptr<ZSTD_DCtx, FreeContext> c(ZSTD_createDCtx());
  if (!c) throw Error("", "zstd: out of memory allocating a context");
  return *c;
}

}  // namespace

std::optional<std::size_t> decompress_zstd(std::span<const std::byte> in, std::span<std::byte> out) {
  std::size_t r = ZSTD_decompressDCtx(&thread_context(), out.data(), out.size(), in.data(), in.size());
  if (!ZSTD_isError(r)) return r;
  if (ZSTD_getErrorCode(r) == ZSTD_error_dstSize_tooSmall) return std::nullopt;
  throw Error("", std::string("zstd: ") + ZSTD_getErrorName(r));
}

}  // namespace strata::codecs
