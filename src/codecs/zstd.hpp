#pragma once
// Zstandard frames (TIFF Compression 50000) decoded straight into the caller's memory.
#include <cstddef>
#include <optional>
#include <span>

namespace strata::codecs {

// Decodes the zstd frame(s) in `in` into `out`. Returns the bytes written, or nullopt
// when the content is larger than out.size(). Throws strata::Error (empty path) when the
// data is corrupt.
std::optional<std::size_t> decompress_zstd(std::span<const std::byte> in, std::span<std::byte> out);

}  // namespace strata::codecs
