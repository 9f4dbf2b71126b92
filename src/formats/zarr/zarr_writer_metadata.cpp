#include "formats/zarr/zarr_writer_metadata.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <utility>

#include "model/pyramid.hpp"
#include "formats/zarr/zarr_v3_metadata.hpp"
#include "model/units.hpp"
#include "strata/error.hpp"

namespace strata::zarr {
namespace {

using nlohmann::json;

// NGFF axis types; other letters (S, and the A, B... of arrays beyond five axes) have none.
std::string_view axis_type(char letter) {
  switch (letter) {
    case 'T': return "time";
    case 'C': return "channel";
    case 'X': case 'Y': case 'Z': return "space";
    default: return {};
  }
}

std::string axis_name(char letter) {
  return std::string(1, static_cast<char>(std::tolower(static_cast<unsigned char>(letter))));
}

// Level k's pixel covers 2^k × 2^k pixels of level 0 in Y and X (model/pyramid.hpp): its
// scale is 2^k times level 0's there. The translation keeps the selection's origin on
// the space and time axes (origin × scale) and, as ngff-zarr writes it, moves Y and X by
// (2^k − 1)/2 level-0 pixels: NGFF coordinates are pixel centres, and the centre of a
// level-k pixel is the centre of the 2^k level-0 pixels it averages.
json dataset(const OutputSpec& spec, const std::vector<double>& scale0, int level) {
  const std::size_t rank = spec.info.shape.size();
  const std::size_t y = rank - static_cast<std::size_t>(spec.plane_axes);
  const double factor = std::ldexp(1.0, level);
  json scale = json::array(), translation = json::array();
  for (std::size_t i = 0; i < rank; ++i) {
    const bool downsampled = i == y || i == y + 1;
    const std::string_view type = axis_type(spec.info.dims[i]);
    const double origin = i < spec.origin.size() ? static_cast<double>(spec.origin[i]) : 0.0;
    scale.push_back(downsampled ? scale0[i] * factor : scale0[i]);
    double t = type == "space" || type == "time" ? origin * scale0[i] : 0.0;
    if (downsampled) t += (factor - 1) / 2 * scale0[i];
    translation.push_back(t);
  }
  return {{"path", level_name(level)},
          {"coordinateTransformations",
           json::array({{{"type", "scale"}, {"scale", std::move(scale)}},
                        {{"type", "translation"}, {"translation", std::move(translation)}}})}};
}

// One multiscale: NGFF 0.4 states its version here, 0.5 in "ome" around it.
json multiscale(const OutputSpec& spec) {
  const ArrayInfo& info = spec.info;
  json axes = json::array();
  std::vector<double> scale0;
  for (char letter : info.dims) {
    json axis{{"name", axis_name(letter)}};
    if (const auto type = axis_type(letter); !type.empty()) axis["type"] = type;
    const auto size = info.physical_sizes.find(letter);
    const bool known = size != info.physical_sizes.end();
    if (known && !size->second.unit.empty()) axis["unit"] = ngff_unit(size->second.unit);
    axes.push_back(std::move(axis));
    scale0.push_back(known ? size->second.value : 1.0);
  }
  json datasets = json::array();
  for (int k = 0; k < spec.levels; ++k) datasets.push_back(dataset(spec, scale0, k));
  json ms{{"axes", std::move(axes)}, {"datasets", std::move(datasets)}};
  if (spec.levels > 1) ms["type"] = "mean";  // NGFF: the downscaling method
  if (spec.zarr_format == 2) ms["version"] = "0.4";
  return ms;
}

json omero(const std::vector<std::string>& channel_names, bool with_version) {
  json channels = json::array();
  for (const auto& label : channel_names) channels.push_back({{"label", label}});
  json o{{"channels", std::move(channels)}};
  if (with_version) o["version"] = "0.4";
  return o;
}

// The v3 codec chain of one chunk: `bytes` in this machine's byte order, then the
// compressor configured as zarr-python 3 (numcodecs.zarr3) writes it.
json v3_chunk_codecs(std::string_view codec, DType dtype) {
  const json bytes{{"name", "bytes"},
                   {"configuration", {{"endian", std::endian::native == std::endian::little ? "little" : "big"}}}};
  const Compression c = zarr_compression(codec);
  if (c.id.empty()) return json::array({bytes});
  json configuration;
  if (c.id == "blosc") {
    static constexpr const char* shuffles[] = {"noshuffle", "shuffle", "bitshuffle"};
    configuration = {{"cname", c.cname}, {"clevel", c.level}, {"shuffle", shuffles[c.shuffle]},
                     {"typesize", size_of(dtype)}, {"blocksize", c.blocksize}};
  } else if (c.id == "zstd") {
    configuration = {{"level", c.level}, {"checksum", false}};
  } else {
    configuration = {{"level", c.level}};
  }
  return json::array({bytes, {{"name", c.id}, {"configuration", std::move(configuration)}}});
}

// One plane of `shape` (its leading axes 1); an extent is at least 1 even along an empty axis.
Shape plane_chunk(const Shape& shape, int plane_axes) {
  Shape chunk(shape.size(), 1);
  for (std::size_t i = shape.size() - static_cast<std::size_t>(plane_axes); i < shape.size(); ++i)
    chunk[i] = std::max<std::int64_t>(shape[i], 1);
  return chunk;
}

json v2_array(const OutputSpec& spec, const Shape& shape) {
  return {{"zarr_format", 2},
          {"shape", shape},
          {"chunks", plane_chunk(shape, spec.plane_axes)},
          {"dtype", zarr_typestr(spec.info.dtype)},
          {"order", "C"},
          {"fill_value", 0},
          {"filters", nullptr},
          {"dimension_separator", "/"},
          {"compressor", zarr_compressor(spec.codec)}};
}

json v3_array(const OutputSpec& spec, const Shape& shape, int level) {
  json codecs = v3_chunk_codecs(spec.codec, spec.info.dtype);
  if (!spec.shard.empty()) {
    // The index as zarr-python 3 writes it by default: at the end, checksummed.
    const json index_codecs = json::array({{{"name", "bytes"}, {"configuration", {{"endian", "little"}}}},
                                           {{"name", "crc32c"}}});
    codecs = json::array({{{"name", "sharding_indexed"},
                           {"configuration",
                            {{"chunk_shape", plane_chunk(shape, spec.plane_axes)},
                             {"codecs", std::move(codecs)},
                             {"index_codecs", index_codecs},
                             {"index_location", "end"}}}}});
  }
  json names = json::array();
  for (char letter : spec.info.dims) names.push_back(axis_name(letter));
  return {{"zarr_format", 3},
          {"node_type", "array"},
          {"shape", shape},
          {"data_type", name(spec.info.dtype)},
          {"chunk_grid", {{"name", "regular"}, {"configuration", {{"chunk_shape", zarr_grid_chunk(spec, level)}}}}},
          {"chunk_key_encoding", {{"name", "default"}, {"configuration", {{"separator", "/"}}}}},
          {"fill_value", spec.info.dtype == DType::bool_ ? json(false) : json(0)},
          {"codecs", std::move(codecs)},
          {"attributes", json::object()},
          {"dimension_names", std::move(names)},
          {"storage_transformers", json::array()}};
}

}  // namespace

std::string level_name(int level) { return std::to_string(level); }

const std::vector<std::string_view>& zarr_codecs() {
  static const std::vector<std::string_view> codecs{"blosc-lz4", "blosc-zstd", "gzip", "zstd", "none"};
  return codecs;
}

Compression zarr_compression(std::string_view codec) {
  const auto& known = zarr_codecs();
  const auto found = std::find(known.begin(), known.end(), codec);
  if (found == known.end()) throw Error("", "unknown Zarr codec '" + std::string(codec) + "'");
  const std::string_view name = *found;  // static: the views below outlive `codec`
  if (name == "none") return {};
  if (name == "gzip" || name == "zstd") return {name, {}, 1, 0, 0};
  return {"blosc", name.substr(name.find('-') + 1), 5, 1, 0};
}

json zarr_compressor(std::string_view codec) {
  const Compression c = zarr_compression(codec);
  if (c.id.empty()) return nullptr;
  if (c.id != "blosc") return {{"id", c.id}, {"level", c.level}};
  return {{"id", "blosc"}, {"cname", c.cname}, {"clevel", c.level}, {"shuffle", c.shuffle}, {"blocksize", c.blocksize}};
}

std::string zarr_typestr(DType dtype) {
  const std::size_t bytes = size_of(dtype);
  const char order = bytes == 1 ? '|' : std::endian::native == std::endian::little ? '<' : '>';
  return std::string{order, name(dtype)[0]} + std::to_string(bytes);  // "uint16"[0] is the kind 'u'
}

Shape zarr_grid_chunk(const OutputSpec& spec, int level) {
  const Shape shape = level_shape(spec.info.shape, spec.plane_axes, level);
  Shape chunk = plane_chunk(shape, spec.plane_axes);
  if (spec.shard.empty()) return chunk;
  if (spec.zarr_format != 3) throw Error("", "shards are a Zarr v3 feature: write them with zarr format 3");
  if (spec.shard.size() != shape.size())
    throw Error("", "shard sizes name " + std::to_string(spec.shard.size()) + " axes, the array has " +
                        std::to_string(shape.size()));
  const std::size_t lead = shape.size() - static_cast<std::size_t>(spec.plane_axes);
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const std::int64_t n = spec.shard[i];
    const std::string axis(1, spec.info.dims.at(i));
    if (i + 1 < lead && n > 1)
      throw Error("", "a shard of " + std::to_string(n) + " along " + axis +
                          " is not supported: a shard is written whole by one rank from one run of planes, so only "
                          "the innermost leading axis (" + std::string(1, spec.info.dims.at(lead - 1)) +
                          ") may hold several planes per shard");
    if (i + 1 == lead && n > max_v3_chunks)  // the reader's limit; and each shard's index is 16 bytes per plane
      throw Error("", "a shard of " + std::to_string(n) + " along " + axis + " is more than the " +
                          std::to_string(max_v3_chunks) + " inner chunks strata reads");
    if (i + 1 == lead) chunk[i] = std::max<std::int64_t>(n, 1);
    // Inner chunks are whole planes, and they must tile the shard: a shard along Y, X or S
    // is the whole plane, and a smaller size cannot be honoured.
    if (i >= lead && n > 0 && n < spec.info.shape[i])
      throw Error("", "a shard of " + std::to_string(n) + " along " + axis + " is smaller than the plane (" +
                          std::to_string(spec.info.shape[i]) +
                          "): the inner chunks are whole planes, so shards along the plane's axes hold whole planes");
  }
  return chunk;
}

std::int64_t zarr_shard_planes(const OutputSpec& spec) {
  const Shape chunk = zarr_grid_chunk(spec, 0);
  const std::size_t lead = chunk.size() - static_cast<std::size_t>(spec.plane_axes);
  return lead > 0 ? chunk[lead - 1] : 1;
}

ZarrDocuments zarr_documents(const OutputSpec& spec) {
  const ArrayInfo& info = spec.info;
  const std::size_t rank = info.shape.size();
  if (info.dims.size() != rank)
    throw Error("", "dims '" + info.dims + "' do not name the " + std::to_string(rank) + " axes of the array");
  if (spec.zarr_format != 2 && spec.zarr_format != 3)
    throw Error("", "zarr format " + std::to_string(spec.zarr_format) + " is not 2 or 3");
  const bool v3 = spec.zarr_format == 3;
  ZarrDocuments d;
  json attributes{{"multiscales", json::array({multiscale(spec)})}};
  if (!info.channel_names.empty()) attributes["omero"] = omero(info.channel_names, !v3);
  if (v3) {
    attributes["version"] = "0.5";
    d.attributes = {{"ome", std::move(attributes)}};
    d.files.emplace_back("zarr.json", json{{"zarr_format", 3}, {"node_type", "group"}, {"attributes", d.attributes}});
  } else {
    if (!spec.shard.empty()) zarr_grid_chunk(spec, 0);  // throws: v2 has no shards
    d.attributes = std::move(attributes);
    d.files.emplace_back(".zgroup", json{{"zarr_format", 2}});
    d.files.emplace_back(".zattrs", d.attributes);
  }
  for (int k = 0; k < spec.levels; ++k) {
    const Shape shape = level_shape(info.shape, spec.plane_axes, k);
    d.levels.push_back(v3 ? v3_array(spec, shape, k) : v2_array(spec, shape));
    d.files.emplace_back(level_name(k) + (v3 ? "/zarr.json" : "/.zarray"), d.levels.back());
  }
  return d;
}

}  // namespace strata::zarr
