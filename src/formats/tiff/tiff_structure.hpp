#pragma once
// The main IFD chain of one TIFF file: per page the tags a reader needs and where its strips
// or tiles are, and where its SubIFDs are (the reduced resolutions of a pyramid, as
// Bio-Formats, tifffile and vips write them: SubIFD k of a page is that page at resolution
// level k). Read by strata's own IFD walker (few large preads, every offset and count
// checked against the file size), which hands the pages libtiff would repair (a missing or
// bogus byte count, OJPEG, YCbCr, ...) to libtiff; docs/formats.md says why.
#include <cstdint>
#include <string>
#include <vector>

#include "strata/chunk.hpp"

namespace strata::tiff {

struct TiffPage {
  std::uint64_t ifd_offset = 0;
  std::uint32_t width = 0;
  std::uint32_t length = 0;
  std::uint16_t bits = 0;            // BitsPerSample
  std::uint16_t sample_format = 1;   // 1 unsigned, 2 signed, 3 float, 4 void
  std::uint16_t samples = 1;         // SamplesPerPixel
  std::uint16_t planar = 1;          // 1 contiguous, 2 separate
  std::uint16_t compression = 1;
  std::uint16_t predictor = 1;
  std::uint16_t photometric = 1;
  std::uint16_t fill_order = 1;
  std::uint16_t ycbcr_subsampling[2] = {1, 1};
  std::uint32_t subfile_type = 0;    // NewSubfileType; bit 0: reduced resolution
  bool tiled = false;
  std::uint32_t rows_per_strip = 0;  // strips only
  std::uint32_t tile_width = 0;      // tiles only
  std::uint32_t tile_length = 0;
  std::vector<ByteRange> striles;    // strips or tiles, in libtiff's index order
  std::vector<std::uint64_t> subifds;  // SubIFD offsets: resolution levels 1, 2, …

  bool reduced_resolution() const noexcept { return subfile_type & 1u; }
  bool transparency_mask() const noexcept { return subfile_type & 4u; }
  bool operator==(const TiffPage&) const = default;
};

struct TiffStructure {
  std::string path;
  bool big_endian = false;
  std::uint64_t file_size = 0;
  std::string description;     // ImageDescription of the first IFD; empty when absent
  double x_resolution = 0;     // XResolution / YResolution of the first IFD; 0 when absent
  double y_resolution = 0;
  std::vector<TiffPage> pages; // the main IFD chain, in order
};

// Walks the main IFD chain. Throws strata::Error naming the file when it is not a TIFF, an
// IFD or a value lies beyond the end of the file, libtiff reports an error reading a page
// handed to it, or the chain loops back on itself.
TiffStructure read_tiff_structure(const std::string& path);

// Replaces each page of `file` named in `pages` by its resolution level `level` (>= 1): the
// page read from its SubIFD number level-1. Throws strata::Error naming the file when a
// page has fewer levels.
void select_subifd_level(TiffStructure& file, const std::vector<std::int32_t>& pages, int level);

// The pages of the first `count` SubIFDs of page `index` of `file` (its resolution levels
// 1 to count). Throws strata::Error naming the file when one cannot be read.
std::vector<TiffPage> read_subifd_pages(const TiffStructure& file, std::size_t index, std::size_t count);

// The page at the IFD at `ifd_offset` as libtiff alone reads it: the reference the walker is
// tested against. Throws strata::Error naming the file.
TiffPage read_tiff_page_with_libtiff(const std::string& path, std::uint64_t ifd_offset);

}  // namespace strata::tiff
