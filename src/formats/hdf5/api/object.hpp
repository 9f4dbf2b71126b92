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
// The names of the datasets below `group`, relative to it, in name order, recursively.
std::vector<std::string> object_datasets_below(hid_t group, const std::string& path);

}  // namespace strata::hdf5::api
