#pragma once
// The TIFF format: classic TIFF and BigTIFF, OME-TIFF (single- and multi-file, BinaryOnly
// stubs, .companion.ome files) and ImageJ hyperstacks, presented as T,C,Z,Y,X[,S].
#include "strata/driver.hpp"

namespace strata {

const Format& tiff_format();

}  // namespace strata
