// Whole-file target: NumPy .npy through open_file and every chunk read.
#include "read_whole_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  strata::fuzz::read_whole_file(data, size, "input.npy");
  return 0;
}
