#pragma once
// The contents of a Zarr v3 array's `zarr.json`, checked and reduced to what reading needs:
// data type, regular chunk grid, chunk key encoding, fill value and the codec chain
// (transpose, bytes, gzip/zstd/blosc, crc32c and sharding_indexed, nested or not).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "formats/lazy_chunk_table.hpp"
#include "strata/box.hpp"
#include "strata/dtype.hpp"
#include "strata/grid.hpp"

namespace strata::zarr {

enum class V3Compressor : std::uint8_t { none, gzip, zstd, blosc };

struct V3Sharding;

// One codec chain (the array's, a shard's inner chunks', or a shard index's).
struct V3Codecs {
  // The composed `transpose` codecs: axis i of the stored (encoded) chunk is axis order[i]
  // of the chunk; empty = no transpose.
  std::vector<std::size_t> order;
  bool big_endian = false;  // `bytes` codec's endian (ignored for 1-byte types)
  // `sharding_indexed` in place of `bytes`; then nothing else is allowed in this chain.
  std::shared_ptr<const V3Sharding> sharding;
  // bytes->bytes codecs: at most one compressor, with crc32c checksums before (inner) and
  // after (outer) it, in write order.
  V3Compressor compressor = V3Compressor::none;
  int crc32c_inner = 0;  // crc32c codecs applied before the compressor
  int crc32c_outer = 0;  // crc32c codecs applied after it
  std::string description;  // e.g. "transpose+bytes+blosc-zstd+bitshuffle", for ChunkTable::codecs

  // Whether the stored size follows from the decoded size (no compressor; crc32c adds 4
  // bytes each): required of shard index codecs.
  bool fixed_size() const noexcept { return compressor == V3Compressor::none; }
};

struct V3Sharding {
  Shape inner;          // shape of the inner chunks; divides the shard shape
  V3Codecs codecs;      // of each inner chunk
  V3Codecs index_codecs;  // of the index: bytes (+ crc32c)
  bool index_at_start = false;
};

struct V3ArrayMeta {
  Shape shape;
  Shape chunks;                    // the regular grid's chunk: the shard when sharded
  DType dtype = DType::uint8;      // bool is read as uint8 (0 or 1)
  std::string data_type;           // as zarr.json names it ("bool", "int16", ...)
  std::vector<std::uint8_t> fill;  // one element, native byte order
  bool v2_keys = false;            // chunk_key_encoding "v2" ("1.2"); else "default" ("c/1/2")
  char separator = '/';
  V3Codecs codecs;

  // The key of the grid chunk (shard) at `position`: "c/0/3/1", "c.0.3", "0.3", "c" or "0".
  std::string chunk_key(const Index& position) const;
  // The chunk that is decoded as one piece: the innermost shard's inner chunk, else `chunks`.
  Shape leaf_chunk() const;
  const V3Codecs& leaf_codecs() const;
};

// Inner chunks in one shard (its index is read whole); the bytes one chunk decodes to are
// bounded by zarr::max_chunk_bytes (zarr_metadata.hpp).
inline constexpr std::int64_t max_v3_chunks = max_listed_chunks;

// Checks and reduces the parsed zarr.json of an array. Throws strata::Error naming `path`
// and what is wrong or unsupported (data type, codec, chunk grid, extension, ...).
V3ArrayMeta parse_v3_array(const nlohmann::json& zarr_json, const std::string& path);

// The fill value of a v3 array in any JSON form the spec allows (numbers, true/false,
// "NaN", "Infinity", "-Infinity", "0x..." raw bits of a float), as one native element.
std::vector<std::uint8_t> parse_v3_fill(const nlohmann::json& value, DType dtype,
                                        const std::string& path);

}  // namespace strata::zarr
