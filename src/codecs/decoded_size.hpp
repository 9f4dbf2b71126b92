#pragma once
// The exact-size check every decoder in src/codecs ends with, worded once.
#include <cstddef>
#include <optional>
#include <string_view>

namespace strata::codecs {

// Throws strata::Error (empty path), e.g. "zlib: chunk decodes to 100 bytes, expected
// 4096", unless `decoded` equals `expected`; nullopt stands for more than `expected`.
void check_decoded_size(std::string_view codec, std::optional<std::size_t> decoded, std::size_t expected);

}  // namespace strata::codecs
