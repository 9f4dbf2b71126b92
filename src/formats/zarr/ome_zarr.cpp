#include "formats/zarr/ome_zarr.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "io/confined_path.hpp"
#include "io/file.hpp"
#include "model/units.hpp"
#include "strata/dims.hpp"
#include "strata/error.hpp"

namespace strata::zarr {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool has(const fs::path& dir, const char* name) {
  std::error_code ec;
  return fs::exists(dir / name, ec);
}

// NGFF up to 0.4 keeps "multiscales" (and "omero") at the top of the group attributes;
// 0.5 moves them under "ome".
const json* ngff_attr(const json& attrs, const char* key) {
  if (!attrs.is_object()) return nullptr;
  if (attrs.contains(key)) return &attrs[key];
  if (attrs.contains("ome") && attrs["ome"].is_object() && attrs["ome"].contains(key)) return &attrs["ome"][key];
  return nullptr;
}

const json* first_multiscale(const json& attrs) {
  const json* all = ngff_attr(attrs, "multiscales");
  if (!all || !all->is_array() || all->empty() || !(*all)[0].is_object()) return nullptr;
  return &(*all)[0];
}

// The node type a Zarr v3 zarr.json declares ("array", "group"), or empty without one.
std::string v3_node_type(const fs::path& dir) {
  if (!has(dir, "zarr.json")) return {};
  const json node = read_json((dir / "zarr.json").string());
  const json type = node.is_object() ? node.value("node_type", json()) : json();
  return type.is_string() ? type.get<std::string>() : std::string("(none)");
}

bool is_v3_array(const fs::path& dir) { return v3_node_type(dir) == "array"; }
bool is_array(const fs::path& dir) { return has(dir, ".zarray") || is_v3_array(dir); }
bool is_group(const fs::path& dir) {
  return has(dir, ".zattrs") || has(dir, ".zgroup") || v3_node_type(dir) == "group";
}

// A group's attributes: "attributes" of its zarr.json (v3), else `.zattrs` (v2). Where a
// folder holds both (a v2 store given v3 metadata beside it), v3 wins, as in zarr-python 3.
json group_attrs(const fs::path& dir) {
  if (has(dir, "zarr.json")) {
    const json node = read_json((dir / "zarr.json").string());
    if (node.is_object() && node.contains("attributes") && node["attributes"].is_object()) return node["attributes"];
    if (!has(dir, ".zattrs")) return json::object();
  }
  if (has(dir, ".zattrs")) return read_json((dir / ".zattrs").string());
  return json::object();
}

std::string dataset_path(const json& dataset, const std::string& group) {
  if (!dataset.is_object() || !dataset.contains("path") || !dataset["path"].is_string())
    throw Error(group, "multiscales dataset without a \"path\": " + dataset.dump());
  return dataset["path"].get<std::string>();
}

// The folder of a multiscales level: its "path" under the image group, which it may not
// leave (docs/security.md).
fs::path level_dir(const json& dataset, const std::string& group) {
  return io::confined_path(group, dataset_path(dataset, group), group);
}

// The enclosing group's multiscale, when it lists `array_dir` as one of its levels: the
// parent (datasets "0", "1", ...) or a group further up for nested paths ("scale0/image").
void find_parent_multiscale(const fs::path& array_dir, ImageLocation& loc) {
  fs::path group = array_dir;
  std::string relative = array_dir.filename().string();
  for (int up = 0; up < 3; ++up) {
    if (up) relative = group.filename().string() + "/" + relative;
    group = group.parent_path();
    if (group.empty() || group == group.parent_path()) return;
    if (!is_group(group)) continue;
    const json attrs = group_attrs(group);
    const json* ms = first_multiscale(attrs);
    if (!ms || !ms->contains("datasets") || !(*ms)["datasets"].is_array()) continue;
    const auto& datasets = (*ms)["datasets"];
    for (std::size_t i = 0; i < datasets.size(); ++i) {
      if (datasets[i].is_object() && datasets[i].value("path", json()) == relative) {
        loc.multiscale = *ms;
        loc.group_attrs = attrs;
        loc.level = i;
        loc.image_dir = group.string();
        return;
      }
    }
    return;  // the nearest image group does not list it
  }
}

// Children of a plain group that can be opened: arrays and multiscale image groups.
std::vector<std::string> openable_children(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_directory(ec)) continue;
    const fs::path child = entry.path();
    if (is_array(child) || (is_group(child) && first_multiscale(group_attrs(child))))
      names.push_back(child.filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// bioformats2raw lists its images in OME/.zattrs "series"; without it, the first is "0".
std::string first_bioformats2raw_series(const fs::path& root) {
  const fs::path ome = root / "OME";
  if (is_group(ome)) {
    const json attrs = group_attrs(ome);
    const json* series = ngff_attr(attrs, "series");
    if (series && series->is_array() && !series->empty() && (*series)[0].is_string())
      return (*series)[0].get<std::string>();
  }
  return "0";
}

char axis_letter(const json& axis) {
  // NGFF 0.3 names axes by strings, 0.4+ by objects {name, type, unit}.
  const json name = axis.is_object() ? axis.value("name", json()) : axis;
  if (!name.is_string() || name.get<std::string>().empty()) return 0;
  const std::string n = name.get<std::string>();
  if (n.size() > 1 && axis.is_object()) {
    const json type = axis.value("type", json());
    if (type == "time") return 'T';
    if (type == "channel") return 'C';
  }
  return static_cast<char>(std::toupper(static_cast<unsigned char>(n[0])));
}

bool is_space_axis(const json& axis, char letter) {
  if (axis.is_object() && axis.contains("type")) return axis["type"] == "space";
  return letter == 'X' || letter == 'Y' || letter == 'Z';
}

// The "scale" of a list of NGFF coordinateTransformations, or empty.
std::vector<double> scale_of(const json& owner) {
  if (!owner.is_object() || !owner.contains("coordinateTransformations")) return {};
  for (const auto& t : owner["coordinateTransformations"]) {
    if (!t.is_object() || t.value("type", json()) != "scale" || !t.contains("scale")) continue;
    std::vector<double> s;
    for (const auto& v : t["scale"]) {
      if (!v.is_number()) return {};
      s.push_back(v.get<double>());
    }
    return s;
  }
  return {};
}

void describe_axes(const ImageLocation& loc, std::size_t rank, ImageDescription& d) {
  const json axes = loc.multiscale.value("axes", json());
  if (!axes.is_array() || axes.size() != rank) return;
  std::string letters;
  for (const auto& axis : axes) letters += axis_letter(axis);
  // Axes whose letters clash (or are not letters) cannot name dims: keep the default.
  try {
    d.dims = normalize_dims(letters);
  } catch (const Error&) {
    return;
  }
  // Physical size of a pixel: the level's scale, times the multiscale-wide one (0.4+).
  std::vector<double> scale = scale_of(loc.multiscale.at("datasets").at(loc.level));
  const std::vector<double> global = scale_of(loc.multiscale);
  if (scale.size() != rank) return;
  if (global.size() == rank)
    for (std::size_t i = 0; i < rank; ++i) scale[i] *= global[i];
  for (std::size_t i = 0; i < rank; ++i) {
    const json unit = axes[i].is_object() ? axes[i].value("unit", json()) : json();
    // Space axes, and time when it has a unit; in OME's symbols, as every format reports them.
    // A unitless scale of 1 says nothing (NGFF requires a scale for every axis).
    if (!is_space_axis(axes[i], d.dims[i]) && !(d.dims[i] == 'T' && unit.is_string())) continue;
    if (!unit.is_string() && scale[i] == 1.0) continue;
    d.physical_sizes[d.dims[i]] = {scale[i], unit.is_string() ? unit_symbol(unit.get<std::string>()) : std::string()};
  }
}

std::vector<std::string> channel_names(const json& attrs) {
  std::vector<std::string> names;
  const json* omero = ngff_attr(attrs, "omero");
  if (!omero || !omero->is_object() || !omero->contains("channels") || !(*omero)["channels"].is_array()) return names;
  for (const auto& c : (*omero)["channels"]) {
    const json label = c.is_object() ? c.value("label", json()) : json();
    names.push_back(label.is_string() ? label.get<std::string>() : label.is_null() ? std::string() : label.dump());
  }
  return names;
}

}  // namespace

json read_json(const std::string& path) {
  const std::string text = io::read_text(path);
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    // nlohmann quotes the bytes it last read: keep the message printable.
    std::string what = e.what();
    for (char& ch : what)
      if (static_cast<unsigned char>(ch) >= 0x80 || (static_cast<unsigned char>(ch) < 0x20 && ch != '\n')) ch = '?';
    throw Error(path, "invalid JSON: " + what);
  }
}

ImageLocation locate_image(const std::string& path, int level) {
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  const fs::path dir(trimmed);

  if (is_array(dir)) {
    if (level != 0)
      throw Error(path, "level " + std::to_string(level) +
                            " requested, but this is one array, not a multiscale image: open its image group");
    ImageLocation loc;
    loc.array_dir = dir.string();
    loc.zarr_format = is_v3_array(dir) ? 3 : 2;
    find_parent_multiscale(dir, loc);
    return loc;
  }
  if (is_group(dir)) {
    const json attrs = group_attrs(dir);
    if (const json* ms = first_multiscale(attrs)) {
      if (!ms->contains("datasets") || !(*ms)["datasets"].is_array() || (*ms)["datasets"].empty())
        throw Error(path, "multiscales lists no datasets");
      const auto& datasets = (*ms)["datasets"];
      if (level < 0 || static_cast<std::size_t>(level) >= datasets.size())
        throw Error(path, "level " + std::to_string(level) + " does not exist: the image has " +
                              std::to_string(datasets.size()) + " levels (0 to " +
                              std::to_string(datasets.size() - 1) + ")");
      const fs::path array_dir = level_dir(datasets[level], dir.string());
      if (!is_array(array_dir))
        throw Error(array_dir.string(), "multiscales level " + std::to_string(level) + " is not a Zarr array (no .zarray or zarr.json of an array)");
      return ImageLocation{array_dir.string(), *ms, attrs, static_cast<std::size_t>(level),
                           is_v3_array(array_dir) ? 3 : 2, dir.string()};
    }
    if (ngff_attr(attrs, "bioformats2raw.layout"))
      return locate_image(io::confined_path(dir.string(), first_bioformats2raw_series(dir), path), level);
    const auto children = openable_children(dir);
    if (children.size() == 1) return locate_image((dir / children[0]).string(), level);
    if (children.empty())
      throw Error(path, std::string(has(dir, "zarr.json") ? "Zarr v3" : "Zarr") + " group holds no array");
    std::string list;
    for (const auto& c : children) list += (list.empty() ? "" : ", ") + c;
    throw Error(path, "Zarr group holds several arrays; open one of them: " + list);
  }
  if (has(dir, "zarr.json"))
    throw Error(path, "zarr.json is neither an array nor a group (node_type " + v3_node_type(dir) + ")");
  throw Error(path, "not a Zarr array or group (no .zarray, .zgroup, .zattrs or zarr.json)");
}

ImageDescription describe_image(const ImageLocation& location, std::size_t rank) {
  ImageDescription d;
  d.dims = default_dims(rank);
  if (location.multiscale.is_null()) {
    d.format = "zarr";
    return d;
  }
  d.format = "ome-zarr";
  describe_axes(location, rank, d);
  d.channel_names = channel_names(location.group_attrs);
  return d;
}

// The shape of every level of the multiscale at `location`, from each level's own metadata
// (`.zarray` or zarr.json "shape"); empty for a single array or a one-level image.
std::vector<Shape> level_shapes(const ImageLocation& location) {
  if (location.multiscale.is_null() || location.image_dir.empty()) return {};
  const json& datasets = location.multiscale.at("datasets");
  if (datasets.size() < 2) return {};
  std::vector<Shape> levels;
  for (const json& dataset : datasets) {
    const fs::path dir = level_dir(dataset, location.image_dir);
    const fs::path meta = has(dir, "zarr.json") ? dir / "zarr.json" : dir / ".zarray";
    const json node = read_json(meta.string());
    const json shape = node.is_object() ? node.value("shape", json()) : json();
    if (!shape.is_array())
      throw Error(meta.string(), "multiscales level \"" + dataset_path(dataset, location.image_dir) + "\" has no shape");
    levels.push_back(shape.get<Shape>());
  }
  return levels;
}

ArrayInfo array_info(const ImageLocation& location, const Shape& shape, DType dtype, const Shape& shard) {
  ImageDescription description = describe_image(location, shape.size());
  ArrayInfo info;
  info.format = std::move(description.format);
  info.dims = std::move(description.dims);
  info.shape = shape;
  info.dtype = dtype;
  info.physical_sizes = std::move(description.physical_sizes);
  info.channel_names = std::move(description.channel_names);
  info.levels = level_shapes(location);
  info.storage = shard.empty() ? "chunks" : "shards";
  info.block_shape = shard;
  return info;
}

}  // namespace strata::zarr
