#pragma once
// Named dimensions: one letter per axis, e.g. "TCZYX" or "TCZYXS".
// Microscopy files are presented in canonical order T,C,Z,Y,X (+ S for samples).
#include <string>
#include <string_view>

namespace strata {

inline constexpr std::string_view kCanonicalDims = "TCZYX";

// Axis letters, upper case. Throws strata::Error when letters repeat or are not A-Z.
std::string normalize_dims(std::string_view dims);
// The trailing `rank` letters of TCZYX (more than 5: leading axes get letters from "ABD...").
std::string default_dims(std::size_t rank);

}  // namespace strata
