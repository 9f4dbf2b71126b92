#pragma once
// What a file holds, as a reader reports it: dims, shape, dtype, the metadata a
// microscopist looks for (physical sizes, channel names) and how the file is organised
// (resolution levels, storage), which `strata info` shows.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "strata/box.hpp"
#include "strata/dtype.hpp"

namespace strata {

struct PhysicalSize {
  double value = 0;
  std::string unit;  // as the file states it, e.g. "µm"; empty when unstated
  friend bool operator==(const PhysicalSize&, const PhysicalSize&) = default;
};

struct ArrayInfo {
  std::string format;                         // "ome-tiff", "imagej-tiff", "tiff", ...
  std::string dims;                           // one letter per axis, e.g. "TCZYX"
  Shape shape;
  DType dtype = DType::uint8;
  std::map<char, PhysicalSize> physical_sizes;  // by axis letter
  std::vector<std::string> channel_names;
  // Every resolution level's shape, full resolution (level 0) first; empty when the image has
  // one level only (then it is `shape`). `shape` is the open level's (OpenOptions::level).
  std::vector<Shape> levels;
  // How the data is stored: "strips" or "tiles" (TIFF), "contiguous", "compact" or
  // "chunked" (HDF5), "chunks" or "shards" (Zarr), "contiguous" (NPY).
  std::string storage;
  // The stored block in the array's axes when it is not the chunk itself: a TIFF page's tile
  // or strip (1 along T, C and Z; rows of a strip as RowsPerStrip says), a Zarr v3 shard
  // (ChunkTable::chunk_shape is then its inner chunk). Empty otherwise.
  Shape block_shape;
  // TIFF PhotometricInterpretation=3 (indexed colour): the values are colour-map indices,
  // read as stored; the colour map is not applied.
  bool palette = false;

  std::size_t level_count() const noexcept { return levels.empty() ? 1 : levels.size(); }
  std::uint64_t decoded_bytes() const noexcept { return element_count(shape) * size_of(dtype); }
  friend bool operator==(const ArrayInfo&, const ArrayInfo&) = default;
};

}  // namespace strata
