#pragma once
// HDF5 attributes (H5A), dimension labels (H5DS, stored as an attribute) included. Call
// with hdf5_lock() held; errors name `path`.
#include <span>
#include <string>
#include <vector>

#include "formats/hdf5/api/library.hpp"

namespace strata::hdf5::api {

bool attribute_exists(hid_t object, const std::string& name, const std::string& path);
Id attribute_open(hid_t object, const std::string& name, const std::string& path);
Id attribute_type(hid_t attribute, const std::string& path);
// Every value of a string attribute whose type is `type` (fixed or variable length).
std::vector<std::string> attribute_read_strings(hid_t attribute, hid_t type, const std::string& path);
// Every value of a numeric attribute, converted to double.
std::vector<double> attribute_read_doubles(hid_t attribute, const std::string& path);
// Creates attribute `name` of `object`: `values` as little-endian float64s.
void attribute_write_doubles(hid_t object, const std::string& name, std::span<const double> values,
                             const std::string& path);

// Labels axis `axis` of `dataset` the way dimension scales do (DIMENSION_LABELS).
void dimension_label_set(hid_t dataset, unsigned axis, const std::string& label, const std::string& path);

}  // namespace strata::hdf5::api
