#include "formats/tiff/tiff_structure.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <unordered_set>

#include "formats/tiff/libtiff_handle.hpp"
#include "io/file.hpp"
#include "strata/error.hpp"

namespace strata::tiff {
namespace {

template <typename T>
T field_or(TIFF* tif, ttag_t tag, T fallback) {
  T value{};
  return TIFFGetFieldDefaulted(tif, tag, &value) ? value : fallback;
}

bool codec_has_predictor(std::uint16_t compression) {
  switch (compression) {
    case COMPRESSION_LZW:
    case COMPRESSION_ADOBE_DEFLATE:
    case COMPRESSION_DEFLATE:
    case COMPRESSION_LZMA:
    case COMPRESSION_ZSTD: return true;
    default: return false;
  }
}

TiffPage read_page(const LibtiffHandle& handle) {
  TIFF* tif = handle.get();
  TiffPage p;
  p.ifd_offset = TIFFCurrentDirOffset(tif);
  p.width = field_or<std::uint32_t>(tif, TIFFTAG_IMAGEWIDTH, 0);
  p.length = field_or<std::uint32_t>(tif, TIFFTAG_IMAGELENGTH, 0);
  p.bits = field_or<std::uint16_t>(tif, TIFFTAG_BITSPERSAMPLE, 1);
  p.sample_format = field_or<std::uint16_t>(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_UINT);
  p.samples = field_or<std::uint16_t>(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
  p.planar = field_or<std::uint16_t>(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  p.compression = field_or<std::uint16_t>(tif, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
  // Predictor is a codec tag: asking a codec without one for it is undefined in libtiff.
  if (codec_has_predictor(p.compression))
    p.predictor = field_or<std::uint16_t>(tif, TIFFTAG_PREDICTOR, PREDICTOR_NONE);
  p.photometric = field_or<std::uint16_t>(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
  p.fill_order = field_or<std::uint16_t>(tif, TIFFTAG_FILLORDER, FILLORDER_MSB2LSB);
  p.subfile_type = field_or<std::uint32_t>(tif, TIFFTAG_SUBFILETYPE, 0);
  if (p.photometric == PHOTOMETRIC_YCBCR)
    TIFFGetFieldDefaulted(tif, TIFFTAG_YCBCRSUBSAMPLING, &p.ycbcr_subsampling[0],
                          &p.ycbcr_subsampling[1]);
  std::uint16_t subifd_count = 0;
  toff_t* subifd_offsets = nullptr;  // libtiff's memory, valid until it reads another IFD
  if (TIFFGetField(tif, TIFFTAG_SUBIFD, &subifd_count, &subifd_offsets) && subifd_offsets)
    p.subifds.assign(subifd_offsets, subifd_offsets + subifd_count);
  p.tiled = TIFFIsTiled(tif);
  if (p.tiled) {
    p.tile_width = field_or<std::uint32_t>(tif, TIFFTAG_TILEWIDTH, 0);
    p.tile_length = field_or<std::uint32_t>(tif, TIFFTAG_TILELENGTH, 0);
  } else {
    p.rows_per_strip = field_or<std::uint32_t>(tif, TIFFTAG_ROWSPERSTRIP, p.length);
  }
  // libtiff sizes the offset arrays from the image geometry; missing entries read as 0.
  const std::uint32_t count = p.tiled ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
  p.striles.resize(count);
  for (std::uint32_t i = 0; i < count; ++i)
    p.striles[i] = {TIFFGetStrileOffset(tif, i), TIFFGetStrileByteCount(tif, i)};
  return p;
}

template <typename T>
T read_value(int fd, std::uint64_t offset, bool swap) {
  T v{};
  if (io::pread_up_to(fd, std::as_writable_bytes(std::span(&v, 1)), offset) != sizeof v) return 0;
  if (swap) {
    if constexpr (sizeof(T) == 2) v = __builtin_bswap16(v);
    if constexpr (sizeof(T) == 4) v = __builtin_bswap32(v);
    if constexpr (sizeof(T) == 8) v = __builtin_bswap64(v);
  }
  return v;
}

// The "next IFD" pointer stored after the directory at `ifd`: libtiff stops at a loop
// with only a warning, so the walk reads the pointer itself to tell a loop from an end.
std::uint64_t next_ifd_offset(TIFF* tif, std::uint64_t ifd) {
  const int fd = TIFFFileno(tif);
  const bool swap = TIFFIsByteSwapped(tif);
  if (TIFFIsBigTIFF(tif)) {
    auto entries = read_value<std::uint64_t>(fd, ifd, swap);
    return read_value<std::uint64_t>(fd, ifd + 8 + entries * 20, swap);
  }
  auto entries = read_value<std::uint16_t>(fd, ifd, swap);
  return read_value<std::uint32_t>(fd, ifd + 2 + std::uint64_t{entries} * 12, swap);
}

// Page `index`'s resolution level `level` (>= 1, within its SubIFDs), read through `handle`.
TiffPage read_subifd(LibtiffHandle& handle, const TiffPage& page, std::size_t index, std::size_t level) {
  const std::uint64_t offset = page.subifds.at(level - 1);
  handle.clear_error();
  if (!TIFFSetSubDirectory(handle.get(), offset))
    handle.fail("reading the SubIFD at offset " + std::to_string(offset) + " of IFD " + std::to_string(index));
  return read_page(handle);
}

}  // namespace

TiffStructure read_tiff_structure(const std::string& path) {
  LibtiffHandle handle(path, "rc");  // "c": see strips as stored, never chopped by libtiff
  TIFF* tif = handle.get();
  TiffStructure s;
  s.path = path;
  s.big_endian = TIFFIsBigEndian(tif);
  struct stat st {};
  if (::fstat(TIFFFileno(tif), &st) == 0) s.file_size = static_cast<std::uint64_t>(st.st_size);
  if (char* text = nullptr; TIFFGetField(tif, TIFFTAG_IMAGEDESCRIPTION, &text) && text)
    s.description = text;
  float xres = 0, yres = 0;
  if (TIFFGetField(tif, TIFFTAG_XRESOLUTION, &xres)) s.x_resolution = xres;
  if (TIFFGetField(tif, TIFFTAG_YRESOLUTION, &yres)) s.y_resolution = yres;

  std::unordered_set<std::uint64_t> seen;
  for (;;) {
    s.pages.push_back(read_page(handle));
    seen.insert(s.pages.back().ifd_offset);
    handle.clear_error();
    if (TIFFReadDirectory(tif)) continue;
    if (!handle.error().empty())
      handle.fail("reading IFD " + std::to_string(s.pages.size()));
    break;
  }
  const std::uint64_t next = next_ifd_offset(tif, s.pages.back().ifd_offset);
  if (next != 0 && seen.count(next))
    throw Error(path, "the IFD chain loops: IFD " + std::to_string(s.pages.size() - 1) +
                          " points back to the IFD at offset " + std::to_string(next));
  return s;
}

void select_subifd_level(TiffStructure& file, const std::vector<std::int32_t>& pages, int level) {
  LibtiffHandle handle(file.path, "rch");
  for (const std::int32_t index : pages) {
    TiffPage& page = file.pages.at(static_cast<std::size_t>(index));
    if (page.subifds.size() < static_cast<std::size_t>(level))
      throw Error(file.path, "resolution level " + std::to_string(level) + " requested, but IFD " +
                                 std::to_string(index) + " has " + std::to_string(page.subifds.size() + 1) +
                                 " level(s) (itself and its SubIFDs)");
    page = read_subifd(handle, page, static_cast<std::size_t>(index), static_cast<std::size_t>(level));
  }
}

std::vector<TiffPage> read_subifd_pages(const TiffStructure& file, std::size_t index, std::size_t count) {
  LibtiffHandle handle(file.path, "rch");
  std::vector<TiffPage> levels;
  for (std::size_t level = 1; level <= count; ++level)
    levels.push_back(read_subifd(handle, file.pages.at(index), index, level));
  return levels;
}

}  // namespace strata::tiff
