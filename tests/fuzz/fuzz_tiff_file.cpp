// Whole-file target: TIFF (plain, ImageJ, OME-TIFF) through open_file and every chunk read.
#include "read_whole_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  strata::fuzz::read_whole_file(data, size, "input.tif");
  return 0;
}
