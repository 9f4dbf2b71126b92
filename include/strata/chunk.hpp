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
  std::vector<ByteRange> segments;  // stored bytes: strips, tiles or the chunk file; empty for
                                    // chunks that are not stored (read as the table's fill)
  // What one format needs beyond the bytes; each format sets only its own field.
  std::string key;                  // Zarr: the chunk's key in the store, e.g. "0.3.1" or "0/3/1"
  std::uint64_t ifd_offset = 0;     // TIFF: file offset of the page's IFD (libtiff seeks by it)
  std::uint32_t filter_mask = 0;    // HDF5: pipeline filters skipped when the chunk was written

  bool stored() const noexcept { return !segments.empty(); }
  std::uint64_t stored_bytes() const noexcept;
  friend bool operator==(const ChunkRef&, const ChunkRef&) = default;
};

struct ChunkTable {
  std::vector<std::string> files;   // files the chunks live in (multi-file OME-TIFF: several)
  std::vector<std::string> codecs;  // codec name of each encoding, e.g. "deflate+predictor"
  std::vector<ChunkRef> chunks;     // in C order of their boxes' starts
  Shape chunk_shape;                // the stored chunk of a regular grid (Zarr, HDF5); empty
                                    // when chunks are not one grid (TIFF strips and tiles)
  std::vector<std::uint8_t> fill;   // one element, native byte order: what chunks not stored
                                    // read as; empty = zeros
  Shape partial_block;              // a chunk decodes in parts of this shape (aligned to its
                                    // box's start): a read of part of it touches only the parts
                                    // it meets (TIFF strips and tiles, raw rows; all ones = any
                                    // box at proportional cost). Empty: any read decodes all of it.
  friend bool operator==(const ChunkTable&, const ChunkTable&) = default;
};

}  // namespace strata
