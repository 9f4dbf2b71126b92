#include "strata/dims.hpp"

#include <cctype>

#include "strata/error.hpp"

namespace strata {

std::string normalize_dims(std::string_view dims) {
  std::string out;
  for (char c : dims) {
    char u = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (u < 'A' || u > 'Z') throw Error("", "invalid axis name '" + std::string(dims) + "'");
    if (out.find(u) != std::string::npos)
      throw Error("", "axis '" + std::string(1, u) + "' repeats in '" + std::string(dims) + "'");
    out += u;
  }
  return out;
}

std::string default_dims(std::size_t rank) {
  if (rank <= kCanonicalDims.size())
    return std::string(kCanonicalDims.substr(kCanonicalDims.size() - rank));
  // Letters not used by TCZYX, for the leading axes of arrays of more than 5 dims.
  constexpr std::string_view kExtra = "ABDEFGHIJKLMNOPQRSUVW";
  std::size_t extra = rank - kCanonicalDims.size();
  if (extra > kExtra.size()) throw Error("", "too many dimensions: " + std::to_string(rank));
  return std::string(kExtra.substr(0, extra)) + std::string(kCanonicalDims);
}

}  // namespace strata
