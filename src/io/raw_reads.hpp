#pragma once
// Reading uncompressed array data from a file, from many threads at once (pread has no
// shared offset): used by every driver whose pieces are raw C-order runs of elements.
#include <cstdint>
#include <span>

#include "strata/box.hpp"
#include "strata/buffer.hpp"
#include "strata/chunk.hpp"
#include "strata/dtype.hpp"

namespace strata {

// Fills `out` from `offset`; throws strata::Error (no path: the driver names its file) on a
// read error or when the file ends first.
void pread_all(int fd, std::span<std::byte> out, std::uint64_t offset);

// Reads `region` of an array of `shape` whose elements from `piece_box.start` onwards lie
// raw, in C order, from `piece.offset` (piece_box is a run of whole rows or planes), into
// `dest`. Straight into dest when the region is the whole piece and dest is contiguous; else
// through a per-thread buffer of the region's span. `swap` byte-swaps big-endian data.
void read_raw_region(int fd, const ByteRange& piece, const Box& piece_box, const Shape& shape, DType dtype,
                     bool swap, const Box& region, const View& dest);

}  // namespace strata
