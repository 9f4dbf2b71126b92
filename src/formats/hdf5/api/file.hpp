#pragma once
// HDF5 files (H5F). Call with hdf5_lock() held; errors name `path`.
#include <string>

#include "formats/hdf5/api/library.hpp"

namespace strata::hdf5::api {

// Opens `path` read-only with the default (POSIX) driver and file locking off, so files on
// read-only or lock-less parallel file systems open too.
Id file_open_readonly(const std::string& path);
// Creates `name`, failing when it exists, with the file access list `access` (MPI-IO:
// collective, every rank calls it with the same arguments).
Id file_create(const std::string& name, hid_t access, const std::string& path);
Id file_creation_plist(hid_t file, const std::string& path);
// The name an open file was opened by: for a file reached through an external link, the
// path HDF5 found it at.
std::string file_name(hid_t file, const std::string& path);

}  // namespace strata::hdf5::api
