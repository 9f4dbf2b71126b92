#include "formats/zarr/zarr_writer_metadata.hpp"

#include "model/units.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <utility>

#include "strata/error.hpp"

namespace strata::zarr {
namespace {

using nlohmann::json;

// NGFF 0.4 axis types; other letters (S, and the A, B... of arrays beyond five axes) have none.
std::string_view axis_type(char letter) {
  switch (letter) {
    case 'T': return "time";
    case 'C': return "channel";
    case 'X': case 'Y': case 'Z': return "space";
    default: return {};
  }
}

json multiscale(const ArrayInfo& info) {
  json axes = json::array();
  json scale = json::array();
  for (char letter : info.dims) {
    json axis{{"name", std::string(1, static_cast<char>(std::tolower(static_cast<unsigned char>(letter))))}};
    if (const auto type = axis_type(letter); !type.empty()) axis["type"] = type;
    const auto size = info.physical_sizes.find(letter);
    const bool known = size != info.physical_sizes.end();
    if (known && !size->second.unit.empty()) axis["unit"] = ngff_unit(size->second.unit);
    axes.push_back(std::move(axis));
    scale.push_back(known ? size->second.value : 1.0);
  }
  const json transform{{"type", "scale"}, {"scale", std::move(scale)}};
  const json dataset{{"path", kZarrArrayName}, {"coordinateTransformations", json::array({transform})}};
  return {{"version", "0.4"}, {"axes", std::move(axes)}, {"datasets", json::array({dataset})}};
}

json omero(const std::vector<std::string>& channel_names) {
  json channels = json::array();
  for (const auto& label : channel_names) channels.push_back({{"label", label}});
  return {{"version", "0.4"}, {"channels", std::move(channels)}};
}

}  // namespace

const std::vector<std::string_view>& zarr_codecs() {
  static const std::vector<std::string_view> codecs{"blosc-lz4", "blosc-zstd", "gzip", "zstd", "none"};
  return codecs;
}

json zarr_compressor(std::string_view codec) {
  const auto& known = zarr_codecs();
  if (std::find(known.begin(), known.end(), codec) == known.end())
    throw Error("", "unknown Zarr codec '" + std::string(codec) + "'");
  if (codec == "none") return nullptr;
  if (codec == "gzip" || codec == "zstd") return {{"id", codec}, {"level", 1}};
  // numcodecs.Blosc's defaults; the element size is implied by the array's dtype.
  const std::string_view cname = codec.substr(codec.find('-') + 1);
  return {{"id", "blosc"}, {"cname", cname}, {"clevel", 5}, {"shuffle", 1}, {"blocksize", 0}};
}

std::string zarr_typestr(DType dtype) {
  const std::size_t bytes = size_of(dtype);
  const char order = bytes == 1 ? '|' : std::endian::native == std::endian::little ? '<' : '>';
  return std::string{order, name(dtype)[0]} + std::to_string(bytes);  // "uint16"[0] is the kind 'u'
}

ZarrDocuments zarr_documents(const ArrayInfo& info, int plane_axes, std::string_view codec) {
  const std::size_t rank = info.shape.size();
  if (info.dims.size() != rank)
    throw Error("", "dims '" + info.dims + "' do not name the " + std::to_string(rank) + " axes of the array");
  // One plane per chunk; a chunk extent is at least 1 even along an empty axis.
  Shape chunks(rank, 1);
  for (std::size_t i = rank - static_cast<std::size_t>(plane_axes); i < rank; ++i)
    chunks[i] = std::max<std::int64_t>(info.shape[i], 1);

  ZarrDocuments d;
  d.zgroup = {{"zarr_format", 2}};
  d.zattrs = {{"multiscales", json::array({multiscale(info)})}};
  if (!info.channel_names.empty()) d.zattrs["omero"] = omero(info.channel_names);
  d.zarray = {{"zarr_format", 2},
              {"shape", info.shape},
              {"chunks", chunks},
              {"dtype", zarr_typestr(info.dtype)},
              {"order", "C"},
              {"fill_value", 0},
              {"filters", nullptr},
              {"dimension_separator", "/"},
              {"compressor", zarr_compressor(codec)}};
  return d;
}

}  // namespace strata::zarr
