#pragma once
// Reading uncompressed array data: used by every format whose pieces are raw C-order runs
// of elements (NPY, contiguous HDF5 datasets).
#include "io/file.hpp"
#include "strata/box.hpp"
#include "strata/buffer.hpp"
#include "strata/chunk.hpp"
#include "strata/dtype.hpp"

namespace strata::io {

// Reads `region` of an array of `shape` whose elements from `piece_box.start` onwards lie
// raw, in C order, from `piece.offset` of `file` (piece_box is a run of whole rows or
// planes), into `dest`. Straight into dest when the region is the whole piece and dest is
// contiguous; else through scratch holding the region's span. `swap` byte-swaps
// big-endian data.
void read_raw_region(const File& file, const ByteRange& piece, const Box& piece_box, const Shape& shape, DType dtype,
                     bool swap, const Box& region, const View& dest);

}  // namespace strata::io
