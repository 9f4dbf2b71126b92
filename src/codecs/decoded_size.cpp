#include "codecs/decoded_size.hpp"

#include <string>

#include "strata/error.hpp"

namespace strata::codecs {

void check_decoded_size(std::string_view codec, std::optional<std::size_t> decoded, std::size_t expected) {
  if (decoded == expected) return;
  std::string cause(codec);
  if (decoded)
    cause += ": chunk decodes to " + std::to_string(*decoded) + " bytes, expected " + std::to_string(expected);
  else
    cause += ": chunk decodes to more than " + std::to_string(expected) + " bytes";
  throw Error("", cause);
}

}  // namespace strata::codecs
