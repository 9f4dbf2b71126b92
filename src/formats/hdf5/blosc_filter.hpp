#pragma once
// The Blosc HDF5 filter (id 32001, the layout of the hdf5-blosc plugin that PyTables,
// h5py's hdf5plugin and the HDF Group's plugins share) registered inside this process:
// Debian's plugin is built against serial HDF5 and fails to load in the parallel build.
// It both compresses (for writers) and decompresses (for H5Dread).
//
// cd_values: [0] filter revision (2), [1] Blosc format version, [2] element size,
// [3] chunk bytes, [4] compression level, [5] shuffle (0 none, 1 byte, 2 bit),
// [6] compressor (0 blosclz, 1 lz4, 2 lz4hc, 3 snappy, 4 zlib, 5 zstd). Slots 0-3 are
// filled in when a dataset is created; a writer passes [4]-[6] (defaults 5, 1, blosclz).

namespace strata::hdf5 {

inline constexpr int kBloscFilterId = 32001;

// Registers the filter with HDF5 (idempotent). Called by hdf5_lock() on first use; call
// it with that lock held.
void register_blosc_filter();

}  // namespace strata::hdf5
