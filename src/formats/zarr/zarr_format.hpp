#pragma once
// Zarr v2 and v3 and OME-Zarr (NGFF 0.1-0.5 multiscales): one array, read by chunk. Each
// chunk file is one ChunkRef: its box is the chunk's region clipped to the array, its one
// segment the whole file (absent for chunks never written, which read as the fill value),
// its key the chunk's key in the store. Sharded v3 arrays have one ChunkRef per inner
// chunk: its key is the shard's, its segment the inner chunk's bytes in the shard
// (zarr_v3_reader.hpp).
#include "formats/format_writer.hpp"

namespace strata {

const Format& zarr_format();
const FormatWriter& zarr_writer();  // zarr_writer.cpp

}  // namespace strata
