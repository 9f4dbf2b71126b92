// OME-XML text (an OME-TIFF's ImageDescription) through parse_ome_xml, then the plane
// order of every image, which the TIFF driver computes from it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "formats/tiff/ome_xml.hpp"
#include "strata/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto document = strata::tiff::parse_ome_xml(std::string_view(reinterpret_cast<const char*>(data), size));
    for (const auto& image : document.images)
      for (std::size_t n = 0; n < image.planes.size(); ++n) (void)strata::tiff::plane_index_in_order(image, n);
  } catch (const strata::Error&) {
    // Malformed XML or inconsistent Pixels: refused, as it must be.
  }
  return 0;
}
