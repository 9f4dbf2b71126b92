#pragma once
// Which pages of which files hold each (t, c, z) plane, and what the array is: from the
// OME-XML (single- or multi-file, BinaryOnly stubs, .companion.ome), an ImageJ hyperstack
// description, or else a plain multi-page TIFF (Z = pages).
#include <cstdint>
#include <string>
#include <vector>

#include "formats/tiff/tiff_structure.hpp"
#include "strata/info.hpp"

namespace strata::tiff {

struct PlaneSource {
  std::int32_t file = -1;        // index into TiffSeries::files; -1: not stored, reads as zeros
  std::int32_t page = -1;        // index into that file's pages
  std::uint64_t data_shift = 0;  // added to the page's strip offsets (ImageJ planes stored
                                 // contiguously after the only IFD)
};

struct TiffSeries {
  ArrayInfo info;                    // dims TCZYX, or TCZYXS when a pixel has several samples
  std::vector<TiffStructure> files;  // every file the planes refer to
  std::vector<PlaneSource> planes;   // T*C*Z entries, index (t * C + c) * Z + z
};

// Reads the series at `path`: a TIFF file or an OME companion file (".companion.ome").
// Every plane's page is checked to be readable (check_page_supported) and to share shape,
// samples and dtype with the others. Throws strata::Error naming the file at fault.
TiffSeries read_tiff_series(const std::string& path);

// Turns `series` into its resolution level `level` (>= 1) of a SubIFD pyramid: every stored
// plane's page becomes its SubIFD number level-1; Y and X sizes (and their physical sizes)
// follow the level's pages. Throws strata::Error when a page has fewer levels or the
// level's pages disagree.
void select_level(TiffSeries& series, int level);

bool is_ome_companion_path(const std::string& path);

}  // namespace strata::tiff
