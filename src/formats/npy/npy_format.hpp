#pragma once
// NumPy .npy files (format 1.0–3.0): one C-order array of plain numbers after a text header.
// One ChunkRef per plane (the trailing two axes), read with pread straight into place.
// Dims are the trailing letters of TCZYX; Fortran order and object/structured dtypes are refused.
#include "formats/format_writer.hpp"

namespace strata {

const Format& npy_format();
const FormatWriter& npy_writer();  // npy_writer.cpp

}  // namespace strata
