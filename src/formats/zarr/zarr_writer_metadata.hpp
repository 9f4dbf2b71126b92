#pragma once
// The metadata of the OME-Zarr image strata writes: a group holding one array per
// resolution level ("0", "1", ...), each stored one plane per chunk in nested ("/") chunk
// keys. Zarr v2 with NGFF 0.4 (`.zgroup`, `.zattrs`, `.zarray`), or Zarr v3 with NGFF 0.5
// (`zarr.json`, optionally sharded along the innermost leading axis). Pure: builds JSON
// documents, touches no file.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "formats/format_writer.hpp"
#include "strata/info.hpp"

namespace strata::zarr {

// The name of level k's array inside the image group: "0", "1", ...
std::string level_name(int level);

// The --compress values of the Zarr output; the first is the default.
const std::vector<std::string_view>& zarr_codecs();

// How chunks are compressed, for one of zarr_codecs(): Blosc at level 5 with byte shuffle
// and automatic block size (numcodecs' defaults), GZip and Zstd at level 1. The views are
// static strings.
struct Compression {
  std::string_view id;     // "blosc", "gzip", "zstd"; empty for none
  std::string_view cname;  // Blosc's inner compressor: "lz4", "zstd"
  int level = 0;           // Blosc's clevel, or the gzip and zstd level
  int shuffle = 0;         // Blosc: 0 none, 1 byte, 2 bit
  std::size_t blocksize = 0;
};
Compression zarr_compression(std::string_view codec);

// The `.zarray` "compressor" for one of zarr_codecs(), as numcodecs states it (null for
// "none"). Blosc's typesize is not stated in v2: it is the dtype's size.
nlohmann::json zarr_compressor(std::string_view codec);

// NumPy typestr in this machine's byte order: "<u2", "|u1", "|b1", "<f2".
std::string zarr_typestr(DType dtype);

// The shape of the grid chunk of `level` (level_shape of model/pyramid.hpp): one plane
// (leading axes 1, plane axes the level's plane), or with shards (v3) the shard: spec.shard
// along the innermost leading axis (0: 1), whole planes along the plane axes. Throws
// strata::Error for shards strata cannot write: with Zarr v2, several planes along another
// leading axis (their planes are not one contiguous run), fewer elements than the plane
// along Y, X or S.
Shape zarr_grid_chunk(const OutputSpec& spec, int level);

// How many consecutive planes along the innermost leading axis one shard holds (1 when
// not sharded): FormatWriter::plane_group. Throws as zarr_grid_chunk.
std::int64_t zarr_shard_planes(const OutputSpec& spec);

struct ZarrDocuments {
  // Every metadata file of the image, by its path inside the image group, in the order
  // they may be written: v2 ".zgroup", ".zattrs", "0/.zarray", "1/.zarray", ...; v3
  // "zarr.json", "0/zarr.json", ...
  std::vector<std::pair<std::string, nlohmann::json>> files;
  // The image group's attributes: v2 `.zattrs` ("multiscales", "omero"), v3 zarr.json's
  // "attributes" ({"ome": {"version": "0.5", "multiscales", "omero"}}).
  nlohmann::json attributes;
  std::vector<nlohmann::json> levels;  // level k's `.zarray` (v2) or zarr.json (v3)
};

// The documents of `spec` (info, plane_axes, codec, levels, origin, zarr_format, shard).
// Throws strata::Error for dims that do not name every axis, an unknown codec, or shards
// zarr_grid_chunk refuses.
ZarrDocuments zarr_documents(const OutputSpec& spec);

}  // namespace strata::zarr
