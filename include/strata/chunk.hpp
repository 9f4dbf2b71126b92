#pragma once
// Chunk descriptors: which region of the array a stored chunk holds, where its bytes are,
// and what decoding it costs. The planner sees only this; drivers keep the rest.
#include <cstdint>
#include <string>
#include <vector>

#include "strata/box.hpp"

namespace strata {

struct ByteRange {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

struct ChunkRef {
  Box box;                          // region of the whole array this chunk decodes to
  std::uint32_t file = 0;           // index into ChunkTable::files
  std::uint32_t encoding = 0;       // index into ChunkTable::codecs (how its bytes are coded)
  std::uint64_t locator = 0;        // driver-defined (TIFF: IFD offset; Zarr: chunk key index)
  std::vector<ByteRange> segments;  // stored bytes: strips, tiles or the chunk file; may be empty
                                    // for chunks that are not stored (read as fill value)
  std::uint64_t stored_bytes() const noexcept;
  friend bool operator==(const ChunkRef&, const ChunkRef&) = default;
};

struct ChunkTable {
  std::vector<std::string> files;   // files the chunks live in (multi-file OME-TIFF: several)
  std::vector<std::string> codecs;  // codec name of each encoding, e.g. "deflate+predictor"
  std::vector<ChunkRef> chunks;     // in C order of their boxes' starts
  friend bool operator==(const ChunkTable&, const ChunkTable&) = default;
};

}  // namespace strata
