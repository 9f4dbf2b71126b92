#pragma once
// HDF5 datasets (H5D): opening and creating them, their properties, their chunks, reading
// and writing elements. Call with hdf5_lock() held; errors name `path`.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "formats/hdf5/api/library.hpp"

namespace strata::hdf5::api {

// Opens dataset `name`; its external storage files (H5Pset_external), when it has any, are
// then found relative to the folder of the file holding it ("${ORIGIN}"), not the current
// folder, unless HDF5_EXTFILE_PREFIX says otherwise (docs/security.md).
Id dataset_open(hid_t file, const std::string& name, const std::string& path);
// Collective under parallel HDF5: every rank calls it with the same arguments.
Id dataset_create(hid_t file, const std::string& name, hid_t type, hid_t space, hid_t creation,
                  const std::string& path);
Id dataset_type(hid_t dataset, const std::string& path);
Id dataset_space(hid_t dataset, const std::string& path);
Id dataset_creation_plist(hid_t dataset, const std::string& path);

// The file offset of a contiguous dataset's data; nullopt when none is stored yet.
std::optional<std::uint64_t> dataset_offset(hid_t dataset);

// Chunked datasets. Chunk offsets are element coordinates of a chunk's first element.
std::uint64_t dataset_chunk_count(hid_t dataset, hid_t space, const std::string& path);
struct ChunkInfo {
  std::uint64_t address = 0;  // before HDF5 1.14.4 relative to the superblock
  std::uint64_t size = 0;     // stored bytes
  unsigned filter_mask = 0;   // filters skipped for this chunk
};
// The `index`-th stored chunk (HDF5 1.10 walks the index from its start to find it);
// `offset` receives its offset.
ChunkInfo dataset_chunk_info(hid_t dataset, hid_t space, std::uint64_t index, std::span<hsize_t> offset,
                             const std::string& path);
// The bytes every stored chunk (or the contiguous data) takes in the file.
std::uint64_t dataset_storage_size(hid_t dataset);
// The stored bytes of the chunk at `offset`; 0 when it was never written.
std::uint64_t dataset_chunk_storage_size(hid_t dataset, std::span<const hsize_t> offset, const std::string& path);
// The stored (still filtered) bytes of the chunk at `offset` into `out`, which must hold
// them all (see dataset_chunk_storage_size); returns its filter mask.
unsigned dataset_read_chunk(hid_t dataset, std::span<const hsize_t> offset, std::span<std::byte> out,
                            const std::string& path);

// Stores `data`, already filtered, as the chunk at `offset` of a dataset in a file opened
// without MPI-IO (HDF5 1.10 fails direct chunk writes under it: docs/hdf5.md).
void dataset_write_chunk(hid_t dataset, std::span<const hsize_t> offset, std::span<const std::byte> data,
                         const std::string& path);

// Elements converted to `memory_type`: all of them, or those selected in `file_space`
// into `memory_space`.
void dataset_read(hid_t dataset, hid_t memory_type, void* out, const std::string& path);
void dataset_read(hid_t dataset, hid_t memory_type, hid_t memory_space, hid_t file_space, void* out,
                  const std::string& path);
void dataset_write(hid_t dataset, hid_t memory_type, hid_t memory_space, hid_t file_space, hid_t transfer,
                   const void* data, const std::string& path);

}  // namespace strata::hdf5::api
