// ImageJ hyperstack descriptions through parse_imagej_description.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "formats/tiff/imagej.hpp"
#include "strata/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)strata::tiff::parse_imagej_description(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const strata::Error&) {
    // Contradictory counts: refused, as they must be.
  }
  return 0;
}
