#pragma once
// Finding the array to read behind a Zarr path, and what OME-Zarr (NGFF) metadata says
// about it: axis names, physical sizes and channel names.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "strata/info.hpp"

namespace strata::zarr {

// The array a path leads to, and the NGFF multiscale that lists it (null when none).
struct ImageLocation {
  std::string array_dir;         // directory holding the `.zarray`
  nlohmann::json multiscale;     // one entry of "multiscales", or null
  nlohmann::json group_attrs;    // the image group's attributes (for "omero"), or null
  std::size_t level = 0;         // index into multiscale["datasets"]
  int zarr_format = 2;           // 2: `.zarray`; 3: zarr.json (array_dir's)
  std::string image_dir;         // the group holding the multiscale; empty without one
};

// Resolves `path`:
// Zarr v2 (`.zarray`, `.zgroup`, `.zattrs`) and v3 (`zarr.json`, attributes inside) alike:
// - an array (`.zarray`, or zarr.json of node_type array): that array; its dims come from the parent group's multiscales
//   when the parent lists it;
// - an image group (multiscales in `.zattrs`, NGFF 0.1-0.4, or under "ome" as in 0.5):
//   datasets[level];
// - a bioformats2raw root (`"bioformats2raw.layout"`): its first image;
// - another group: its only array or image, else an error listing the candidates.
// `level` must be 0 unless the path leads to a multiscale image.
ImageLocation locate_image(const std::string& path, int level);

// What the multiscale says about the array at `location`, for an array of `rank` axes:
// dims (default_dims(rank) when axes are absent or unusable), physical sizes of the space
// axes, channel names. format is "ome-zarr" with a multiscale, else "zarr".
struct ImageDescription {
  std::string format;
  std::string dims;
  std::map<char, PhysicalSize> physical_sizes;
  std::vector<std::string> channel_names;
};
ImageDescription describe_image(const ImageLocation& location, std::size_t rank);
// The ArrayInfo of the array at `location` (v2 or v3): its shape and dtype, with what the
// multiscale says about it and the shape of each of its levels; `shard` is the shard shape
// of a sharded v3 array (empty otherwise).
ArrayInfo array_info(const ImageLocation& location, const Shape& shape, DType dtype, const Shape& shard = {});

// Reads and parses a JSON metadata file; throws strata::Error naming it.
nlohmann::json read_json(const std::string& path);

}  // namespace strata::zarr
