#pragma once
// The TIFF format: classic TIFF and BigTIFF, OME-TIFF (single- and multi-file, BinaryOnly
// stubs, .companion.ome files) and ImageJ hyperstacks, presented as T,C,Z,Y,X[,S].
#include "formats/format_writer.hpp"

namespace strata {

const Format& tiff_format();
const FormatWriter& ome_tiff_writer();  // ome_tiff_writer.cpp

}  // namespace strata
