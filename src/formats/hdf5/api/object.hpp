#pragma once
// HDF5 objects (H5O) by name: groups, and what the objects of a file are. Call with
// hdf5_lock() held; errors name `path`.
#include <optional>
#include <string>
#include <vector>

#include "formats/hdf5/api/library.hpp"

namespace strata::hdf5::api {

// The object (group, dataset, ...) at `name` ("/a/b").
Id object_open(hid_t file, const std::string& name, const std::string& path);
// The kind of the object at `name` (H5O_TYPE_GROUP, H5O_TYPE_DATASET, ...); nullopt when
// there is none.
std::optional<H5O_type_t> object_type(hid_t file, const std::string& name);
// The names of the datasets below `group`, relative to it, in name order, recursively
// (through hard links only: H5Ovisit follows no soft or external link).
std::vector<std::string> object_datasets_below(hid_t group, const std::string& path);

// The file an open object lies in (another than the one it was opened from when an
// external link led there).
Id object_file(hid_t object, const std::string& path);
// Whether two open objects lie in the same file (HDF5's file numbers).
bool object_same_file(hid_t a, hid_t b, const std::string& path);

// Where the link `name` points when it is an external link (H5L_TYPE_EXTERNAL): the file
// as the link names it and the object in it; nullopt for any other link or none. Groups on
// the way to `name` are followed.
struct ExternalLink {
  std::string file;
  std::string object;
};
std::optional<ExternalLink> link_external_target(hid_t file, const std::string& name, const std::string& path);

}  // namespace strata::hdf5::api
