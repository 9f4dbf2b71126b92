#pragma once
// HDF5 property lists (H5P): how files are accessed, datasets created and data moved.
// Call with hdf5_lock() held; errors name `path`.
#include <mpi.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "formats/hdf5/api/library.hpp"

namespace strata::hdf5::api {

enum class PropertyList { file_access, dataset_creation, transfer };
Id plist_create(PropertyList kind, const std::string& path);

// File access.
void plist_set_file_locking_off(hid_t access, const std::string& path);
// Parallel HDF5 over MPI-IO on `comm`, with MPI-IO hints `info`.
void plist_set_mpio(hid_t access, MPI_Comm comm, MPI_Info info, const std::string& path);

// File creation.
hsize_t plist_user_block(hid_t creation, const std::string& path);

// Dataset creation.
H5D_layout_t plist_layout(hid_t creation, const std::string& path);
void plist_set_chunk(hid_t creation, std::span<const hsize_t> chunk, const std::string& path);
std::vector<hsize_t> plist_chunk(hid_t creation, std::size_t rank, const std::string& path);
int plist_external_count(hid_t creation, const std::string& path);
// External storage (H5Pset_external): the dataset's bytes, in order, are `size` bytes from
// `offset` of each file `name` (as stored; see dataset_open for how HDF5 finds it).
struct ExternalSlot {
  std::string name;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;  // H5F_UNLIMITED: to the end of the dataset
};
std::vector<ExternalSlot> plist_external(hid_t creation, const std::string& path);
// A virtual dataset's mappings: the source file (as stored, "." for the file itself) and
// dataset of each.
struct VirtualSource {
  std::string file;
  std::string dataset;
};
std::vector<VirtualSource> plist_virtual_sources(hid_t creation, const std::string& path);
void plist_set_fill_time_never(hid_t creation, const std::string& path);
bool plist_fill_value_defined(hid_t creation, const std::string& path);
// One element of the fill value, converted to `type`, into `out`.
void plist_fill_value(hid_t creation, hid_t type, void* out, const std::string& path);
void plist_set_shuffle(hid_t creation, const std::string& path);
void plist_set_deflate(hid_t creation, unsigned level, const std::string& path);
// Adds filter `id` with its cd_values; an optional one may be skipped for a chunk.
void plist_set_filter(hid_t creation, int id, bool optional, std::span<const unsigned> values,
                      const std::string& path);
int plist_filter_count(hid_t creation, const std::string& path);
// The id of filter `index` of the pipeline; `values` receives its cd_values.
int plist_filter(hid_t creation, unsigned index, std::vector<unsigned>& values, const std::string& path);

// Data transfer: collective (every rank together) or independent MPI-IO.
void plist_set_collective(hid_t transfer, bool collective, const std::string& path);

}  // namespace strata::hdf5::api
