#pragma once
// Zarr v2 and OME-Zarr (NGFF 0.1-0.5 multiscales stored as Zarr v2): one array, read by
// chunk. Each chunk file is one ChunkRef: its box is the chunk's region clipped to the
// array, its one segment the whole file (absent for chunks never written, which read as
// the fill value), its locator the chunk's C-order index in the chunk grid.
#include "formats/format_writer.hpp"

namespace strata {

const Format& zarr_format();
const FormatWriter& zarr_writer();  // zarr_writer.cpp

}  // namespace strata
