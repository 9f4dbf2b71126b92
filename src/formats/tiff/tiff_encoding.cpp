#include "formats/tiff/tiff_encoding.hpp"

#include <tiffio.h>

#include <algorithm>

#include "strata/error.hpp"

namespace strata::tiff {
namespace {

std::string compression_name(std::uint16_t compression) {
  switch (compression) {
    case COMPRESSION_NONE: return "none";
    case COMPRESSION_CCITTRLE: return "ccitt-rle";
    case COMPRESSION_CCITTFAX3: return "ccitt-fax3";
    case COMPRESSION_CCITTFAX4: return "ccitt-fax4";
    case COMPRESSION_LZW: return "lzw";
    case COMPRESSION_OJPEG: return "old-jpeg";
    case COMPRESSION_JPEG: return "jpeg";
    case COMPRESSION_ADOBE_DEFLATE:
    case COMPRESSION_DEFLATE: return "deflate";
    case COMPRESSION_PACKBITS: return "packbits";
    case COMPRESSION_SGILOG:
    case COMPRESSION_SGILOG24: return "sgilog";
    case COMPRESSION_LZMA: return "lzma";
    case COMPRESSION_ZSTD: return "zstd";
    case COMPRESSION_WEBP: return "webp";
    case COMPRESSION_LERC: return "lerc";
    case COMPRESSION_JXL: return "jpeg-xl";
    default: return "compression-" + std::to_string(compression);
  }
}

[[noreturn]] void refuse(const std::string& path, std::size_t ifd_index, const std::string& why) {
  throw Error(path, "IFD " + std::to_string(ifd_index) + ": " + why);
}

}  // namespace

DType check_page_supported(const TiffPage& page, const std::string& path, std::size_t ifd_index) {
  if (page.width == 0 || page.length == 0) refuse(path, ifd_index, "the image has no width or length");
  switch (page.compression) {
    case COMPRESSION_OJPEG:
      refuse(path, ifd_index, "old-style JPEG (Compression=6) is not supported (obsolete since 1995, and "
                              "its files are ambiguous; convert it to JPEG or a lossless codec)");
    case COMPRESSION_JPEG:
      // Read like every other lossy codec libtiff decodes (WebP, JPEG-XL): the file holds
      // nothing closer to the acquired values, and Bio-Formats and tifffile read them too.
      if (page.bits != 8)
        refuse(path, ifd_index, "JPEG with " + std::to_string(page.bits) +
                                    "-bit samples is not supported (libtiff decodes 8-bit JPEG only)");
      break;
    case COMPRESSION_SGILOG:
    case COMPRESSION_SGILOG24:
      refuse(path, ifd_index, "SGILog (LogLuv) compression is not supported (HDR colour encoding)");
    default: break;
  }
  if (page.photometric == PHOTOMETRIC_LOGL || page.photometric == PHOTOMETRIC_LOGLUV)
    refuse(path, ifd_index, "LogL/LogLuv photometric interpretation is not supported");
  if (!TIFFIsCODECConfigured(page.compression))
    refuse(path, ifd_index, "compression " + compression_name(page.compression) + " (" +
                std::to_string(page.compression) + ") is not supported by libtiff");
  // Packed 9- to 15-bit unsigned integers (12-bit cameras) read as uint16, as Bio-Formats
  // reads them; narrower samples (bilevel masks, 4-bit palettes) stay refused.
  const bool packed = page.bits > 8 && page.bits < 16;
  if (page.bits == 0 || (page.bits % 8 != 0 && !packed) || page.bits > 64)
    refuse(path, ifd_index, "BitsPerSample=" + std::to_string(page.bits) +
                " is not supported (only 8, 16, 32 and 64-bit samples, and packed 9- to 15-bit integers)");
  if (packed && page.sample_format != SAMPLEFORMAT_UINT && page.sample_format != SAMPLEFORMAT_VOID)
    refuse(path, ifd_index, "packed " + std::to_string(page.bits) + "-bit samples are supported as unsigned integers only");
  if (packed && page.predictor != PREDICTOR_NONE)
    refuse(path, ifd_index, "a predictor on packed " + std::to_string(page.bits) + "-bit samples is not supported");
  if (page.photometric == PHOTOMETRIC_YCBCR && page.compression != COMPRESSION_JPEG &&
      (page.ycbcr_subsampling[0] != 1 || page.ycbcr_subsampling[1] != 1))
    refuse(path, ifd_index, "subsampled YCbCr is not supported outside JPEG");
  if (page.photometric == PHOTOMETRIC_YCBCR && page.compression == COMPRESSION_JPEG &&
      (page.planar != PLANARCONFIG_CONTIG || page.samples != 3))
    refuse(path, ifd_index, "JPEG-coded YCbCr other than 3 interleaved samples is not supported");
  if (page.planar != PLANARCONFIG_CONTIG && page.planar != PLANARCONFIG_SEPARATE)
    refuse(path, ifd_index, "PlanarConfiguration=" + std::to_string(page.planar) + " is not valid");
  if (page.tiled ? (page.tile_width == 0 || page.tile_length == 0) : page.rows_per_strip == 0)
    refuse(path, ifd_index, page.tiled ? "the tile size is zero" : "RowsPerStrip is zero");
  // Tiles may pad past the image, but one far larger than it is corrupt, and decoding one
  // would need a buffer of its full size (found by fuzzing: a 16 x 3791650832 tile).
  auto far_larger = [](std::uint64_t tile, std::uint64_t image) { return tile > std::max<std::uint64_t>(image, 8192) * 2; };
  if (page.tiled && (far_larger(page.tile_width, page.width) || far_larger(page.tile_length, page.length)))
    refuse(path, ifd_index,
           "the tile size " + std::to_string(page.tile_width) + " x " + std::to_string(page.tile_length) +
               " is far larger than the " + std::to_string(page.width) + " x " + std::to_string(page.length) +
               " image (corrupt file?)");
  // Nor one many times the image's area whose decoding alone would need over 256 MiB (found
  // by fuzzing: a 16 x 2064 tile of 16401 16-bit samples for a 32 x 32 image, 1 GB a tile).
  const double tile_pixels = static_cast<double>(page.tile_width) * static_cast<double>(page.tile_length);
  const double tile_bytes = tile_pixels * (page.planar == PLANARCONFIG_CONTIG ? page.samples : 1) * page.bits / 8;
  if (page.tiled && tile_pixels > 4 * static_cast<double>(page.width) * static_cast<double>(page.length) &&
      tile_bytes > static_cast<double>(std::uint64_t{1} << 28))
    refuse(path, ifd_index,
           "the tile size " + std::to_string(page.tile_width) + " x " + std::to_string(page.tile_length) + " (" +
               std::to_string(static_cast<std::uint64_t>(tile_bytes)) + " bytes) is far larger than the " +
               std::to_string(page.width) + " x " + std::to_string(page.length) + " image (corrupt file?)");

  char kind = 0;
  switch (page.sample_format) {
    case SAMPLEFORMAT_UINT:
    case SAMPLEFORMAT_VOID: kind = 'u'; break;
    case SAMPLEFORMAT_INT: kind = 'i'; break;
    case SAMPLEFORMAT_IEEEFP: kind = 'f'; break;
    case SAMPLEFORMAT_COMPLEXINT:
    case SAMPLEFORMAT_COMPLEXIEEEFP: refuse(path, ifd_index, "complex samples are not supported");
    default: refuse(path, ifd_index, "SampleFormat=" + std::to_string(page.sample_format) + " is not valid");
  }
  if (kind == 'f' && page.bits == 16) refuse(path, ifd_index, "16-bit floating-point samples are not supported");
  if (kind == 'f' && page.bits != 32 && page.bits != 64)
    refuse(path, ifd_index, std::to_string(page.bits) + "-bit floating-point samples are not supported");
  switch (page.predictor) {
    case PREDICTOR_NONE:
    case PREDICTOR_HORIZONTAL: break;
    case PREDICTOR_FLOATINGPOINT:
      if (kind != 'f') refuse(path, ifd_index, "the floating-point predictor on integer samples is not valid");
      break;
    default: refuse(path, ifd_index, "Predictor=" + std::to_string(page.predictor) + " is not supported");
  }
  return dtype_from(kind, packed ? 16 : page.bits);
}

TiffEncoding encoding_of(const TiffPage& page, bool big_endian) {
  TiffEncoding e;
  e.compression = page.compression;
  e.predictor = page.predictor;
  e.bits = page.bits;
  e.sample_format = page.sample_format;
  e.samples = page.samples;
  e.planar = page.planar;
  e.fill_order = page.fill_order;
  e.photometric = page.photometric;
  e.big_endian = big_endian;
  e.tiled = page.tiled;
  e.width = page.width;
  e.length = page.length;
  e.block_width = page.tiled ? page.tile_width : page.width;
  e.block_length = page.tiled ? page.tile_length : std::min(page.rows_per_strip, page.length);
  return e;
}

std::string codec_name(const TiffEncoding& e) {
  std::string name = compression_name(e.compression);
  if (e.predictor == PREDICTOR_HORIZONTAL) name += "+predictor";
  if (e.predictor == PREDICTOR_FLOATINGPOINT) name += "+float-predictor";
  return name;
}

}  // namespace strata::tiff
