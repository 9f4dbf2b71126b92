#pragma once
// The Zarr v3 reader (zarr.json), beside the v2 one in zarr_reader.cpp: the chunk table
// (one ChunkRef per inner chunk of sharded arrays, whose file is the shard's entry in
// ChunkTable::files, whose key is the shard's and whose segment is the inner chunk's bytes
// in it, read from the shard indexes once, at open) and the driver that decodes each chunk
// through the array's codec chain. Shards stay open once opened (Driver::shared_file), so
// the executor reads neighbouring inner chunks of a shard with one read.
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "formats/zarr/ome_zarr.hpp"
#include "formats/zarr/zarr_v3_metadata.hpp"
#include "strata/driver.hpp"

namespace strata::zarr {

// The chunks meeting `region` of the v3 array in `array_dir` described by `meta`: stats the
// chunk or shard files the region meets and reads those shards' indexes (nothing else).
// Throws strata::Error naming the file at fault.
ChunkTable build_v3_chunk_table(const std::string& array_dir, const V3ArrayMeta& meta, const Box& region);

// Opens the v3 array that locate_image found (its dims, physical sizes and channel names
// from the NGFF multiscale that lists it, when one does).
std::unique_ptr<Driver> open_v3_array(const ImageLocation& location);

// Whether a saved zarr driver state is a v3 one, and restoring it.
bool is_v3_state(const nlohmann::json& state);
std::unique_ptr<Driver> restore_v3_array(const nlohmann::json& state);

}  // namespace strata::zarr
