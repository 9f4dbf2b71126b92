#pragma once
// HDF5 datasets, named "FILE.h5:/path/to/dataset" or "FILE.h5" alone when the file holds
// one image dataset. Rank 0 walks the file with the HDF5 library (hdf5_dataset.hpp);
// every rank then reads chunks with pread and decodes them itself, in parallel threads,
// touching HDF5 (which is not thread-safe here) only where it must, under one lock.
// Chunked datasets: one ChunkRef per chunk of the grid, with the chunk's stored address
// and size (never-written chunks have no segments and read as the fill value); contiguous
// and compact ones: one ChunkRef per plane (bands of rows for planes over 16 MiB).
#include "formats/format_writer.hpp"

namespace strata {

const Format& hdf5_format();
const FormatWriter& hdf5_writer();  // hdf5_writer.cpp

}  // namespace strata
