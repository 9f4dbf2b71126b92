#pragma once
// HDF5 dataspaces (H5S): the shape of a dataset or attribute, and selections in it. Call
// with hdf5_lock() held; errors name `path`.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "formats/hdf5/api/library.hpp"

namespace strata::hdf5::api {

// A simple (array) dataspace of `dims`.
Id dataspace_create(std::span<const hsize_t> dims, const std::string& path);
Id dataspace_copy(hid_t space, const std::string& path);
// H5S_SCALAR, H5S_SIMPLE or H5S_NULL.
H5S_class_t dataspace_class(hid_t space, const std::string& path);
// The dims of a simple dataspace (none for scalar and null ones).
std::vector<hsize_t> dataspace_dims(hid_t space, const std::string& path);
std::uint64_t dataspace_point_count(hid_t space, const std::string& path);
// Selects the box from `start` spanning `count` elements, replacing any selection.
void dataspace_select_box(hid_t space, std::span<const hsize_t> start, std::span<const hsize_t> count,
                          const std::string& path);
void dataspace_select_none(hid_t space, const std::string& path);

}  // namespace strata::hdf5::api
