#pragma once
// HDF5 filters (H5Z): which ones the library has, and the Blosc filter (id 32001, the
// layout of the hdf5-blosc plugin that PyTables, h5py's hdf5plugin and the HDF Group's
// plugins share) registered inside this process: Debian's plugin is built against serial
// HDF5 and fails to load in the parallel build. It both compresses (for writers) and
// decompresses (for H5Dread).
//
// Blosc cd_values: [0] filter revision (2), [1] Blosc format version, [2] element size,
// [3] chunk bytes, [4] compression level, [5] shuffle (0 none, 1 byte, 2 bit),
// [6] compressor (0 blosclz, 1 lz4, 2 lz4hc, 3 snappy, 4 zlib, 5 zstd). Slots 0-3 are
// filled in when a dataset is created; a writer passes [4]-[6] (defaults 5, 1, blosclz).
#include <string>

namespace strata::hdf5::api {

inline constexpr int kBloscFilterId = 32001;

// Registers the Blosc filter (idempotent). Called by hdf5_lock() on first use, lock held.
void register_blosc_filter();

// Whether HDF5 can apply filter `id` (registered, or found as a plugin).
bool filter_available(int id);

}  // namespace strata::hdf5::api
