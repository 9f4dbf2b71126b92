#pragma once
// Human-readable figures shared by the subcommands' plain-text output.
#include <cstdint>
#include <string>

#include "strata/box.hpp"
#include "strata/buffer.hpp"

namespace strata::cli {

std::string format_bytes(std::uint64_t bytes);  // "410.0 MB" (SI, like the GB/s figures)
std::string format_shape(const Shape& shape);   // "[1, 2, 5, 640, 640]"
// "256M", "4G", "512K", "1T" (binary: M = 2^20, as SLURM's --mem) or a plain byte count.
// Throws strata::Error for anything else.
std::uint64_t parse_bytes(const std::string& text);
// The XXH3-64 of the buffer's bytes (the array's C-order bytes), 16 hex digits.
std::string xxh3_hex(const Buffer& data);

}  // namespace strata::cli
