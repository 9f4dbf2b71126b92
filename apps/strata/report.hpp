#pragma once
// Human-readable figures shared by the subcommands' plain-text output.
#include <cstdint>
#include <string>

#include "strata/box.hpp"

namespace strata::cli {

std::string format_bytes(std::uint64_t bytes);  // "410.0 MB" (SI, like the GB/s figures)
std::string format_shape(const Shape& shape);   // "[1, 2, 5, 640, 640]"

}  // namespace strata::cli
