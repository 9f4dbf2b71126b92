#pragma once
// HDF5 datatypes (H5T): what a dataset's elements are. Call with hdf5_lock() held; errors
// name `path`.
#include <cstddef>
#include <string>

#include "formats/hdf5/api/library.hpp"
#include "strata/dtype.hpp"

namespace strata::hdf5::api {

// The standard HDF5 type of a dtype in either byte order (little-endian: what strata's
// buffers hold). Predefined by HDF5: never closed.
hid_t little_endian_type(DType t) noexcept;
hid_t big_endian_type(DType t) noexcept;

H5T_class_t type_class(hid_t type, const std::string& path);
std::size_t type_size(hid_t type, const std::string& path);
// The type an enum or array type is built on.
Id type_super(hid_t type, const std::string& path);
bool type_is_big_endian(hid_t type, const std::string& path);
bool type_is_signed(hid_t type, const std::string& path);  // integers
std::size_t type_precision(hid_t type, const std::string& path);  // significant bits
std::size_t type_offset(hid_t type, const std::string& path);     // bits below them
bool type_equal(hid_t a, hid_t b, const std::string& path);
bool type_is_variable_string(hid_t type, const std::string& path);
// C strings (NUL-terminated) of `size` bytes each, or of variable length when size is 0.
Id string_type(std::size_t size, const std::string& path);

}  // namespace strata::hdf5::api
