#pragma once
// The contents of a Zarr v2 `.zarray`, checked and reduced to what reading needs.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "strata/box.hpp"
#include "strata/dtype.hpp"

namespace strata::zarr {

// The most one chunk may decode to, v2 and v3 alike (an edge chunk is decoded whole): larger
// claims are hostile metadata, refused before anything is allocated (v3 at open, v2 when such
// a chunk is stored and read).
inline constexpr std::int64_t max_chunk_bytes = std::int64_t{1} << 34;

enum class Compressor : std::uint8_t { none, blosc, zlib, gzip, zstd };

struct ArrayMeta {
  Shape shape;
  Shape chunks;                     // the regular chunk shape; edge chunks are stored whole
  DType dtype = DType::uint8;
  bool swap_bytes = false;          // stored byte order differs from this machine's
  bool fortran_order = false;       // elements inside a chunk stored in F order
  Compressor compressor = Compressor::none;
  std::string codec;                // e.g. "blosc-lz4+shuffle", for ChunkTable::codecs
  std::vector<std::uint8_t> fill;   // one element, native byte order: what missing chunks hold
  char separator = '.';             // between chunk indices in a chunk key

  // Bytes one chunk decodes to (edge chunks are stored whole); not rounded to an integer
  // type, which hostile chunk shapes would overflow.
  long double chunk_bytes() const noexcept;
  // The key of the chunk at grid position `index`: "0.3.1" or "0/3/1" ("0" for rank 0).
  std::string chunk_key(const std::vector<std::int64_t>& index) const;
};

// Checks and reduces a parsed `.zarray`. Throws strata::Error naming `path` and what is
// wrong or unsupported (dtype, compressor, filters, order, ...).
ArrayMeta parse_zarray(const nlohmann::json& zarray, const std::string& path);

// A fill value as one native element of `dtype`: numbers (integers must fit exactly),
// "NaN", "Infinity", "-Infinity" for floats, numbers written as strings; null = zeros.
// Shared by the v2 and v3 parsers. Throws strata::Error naming `path`.
std::vector<std::uint8_t> parse_fill_value(const nlohmann::json& value, DType dtype, const std::string& path);

void to_json(nlohmann::json& j, const ArrayMeta& m);
void from_json(const nlohmann::json& j, ArrayMeta& m);

}  // namespace strata::zarr
