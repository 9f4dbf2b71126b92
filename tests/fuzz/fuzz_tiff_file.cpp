// Whole-file target: TIFF (plain, ImageJ, OME-TIFF) through open_file and every chunk read;
// then strata's IFD walker against libtiff, a differential check: every page the walker
// reads of a file whose pages libtiff also reads must be what libtiff reads (a difference
// traps, so libFuzzer reports it as a finding).
#include "formats/tiff/tiff_structure.hpp"
#include "read_whole_file.hpp"
#include "strata/error.hpp"

namespace {

void compare_walker_with_libtiff(const std::string& path) {
  using namespace strata::tiff;
  TiffStructure walked;
  try {
    walked = read_tiff_structure(path);
  } catch (const strata::Error&) {
    return;  // refused: the whole-file read above covered that
  }
  auto compare = [&](std::uint64_t offset, const TiffPage& page) {
    try {
      if (!(read_tiff_page_with_libtiff(path, offset) == page)) __builtin_trap();
    } catch (const strata::Error&) {
      // libtiff refuses a page the walker reads: strata's checks after the walk decide
    }
  };
  for (std::size_t i = 0; i < walked.pages.size(); ++i) {
    compare(walked.pages[i].ifd_offset, walked.pages[i]);
    try {
      const auto levels = read_subifd_pages(walked, i, walked.pages[i].subifds.size());
      for (std::size_t k = 0; k < levels.size(); ++k) compare(walked.pages[i].subifds[k], levels[k]);
    } catch (const strata::Error&) {
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  strata::fuzz::read_whole_file(data, size, "input.tif");
  compare_walker_with_libtiff((strata::fuzz::scratch_folder() / "input.tif").string());
  return 0;
}
