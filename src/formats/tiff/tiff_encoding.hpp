#pragma once
// How one page's strips or tiles are stored: everything a rank needs to decode a chunk of
// it without reading the IFD again. Strips are treated as full-width blocks, so strips and
// tiles share one geometry.
#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>
#include <tiff.h>

#include "formats/tiff/tiff_structure.hpp"
#include "strata/dtype.hpp"

namespace strata::tiff {

struct TiffEncoding {
  std::uint16_t compression = 1;
  std::uint16_t predictor = 1;
  std::uint16_t bits = 8;
  std::uint16_t sample_format = 1;
  std::uint16_t samples = 1;
  std::uint16_t planar = 1;
  std::uint16_t fill_order = 1;
  std::uint16_t photometric = 1;
  bool big_endian = false;
  bool tiled = false;
  std::uint32_t width = 0;         // image
  std::uint32_t length = 0;
  std::uint32_t block_width = 0;   // tile width, or the image width for strips
  std::uint32_t block_length = 0;  // tile length, or rows per strip (at most the image length)

  // Bytes of a decoded sample: packed 9- to 15-bit samples decode to 2.
  std::size_t sample_bytes() const noexcept { return (bits + 7u) / 8u; }
  // Samples narrower than whole bytes, packed MSB first with each block row byte-aligned.
  bool packed() const noexcept { return bits % 8 != 0; }
  // Samples per pixel inside one block: all of them, or one for PlanarConfiguration=2.
  std::size_t block_samples() const noexcept { return planar == 2 ? 1u : samples; }
  std::size_t sample_planes() const noexcept { return planar == 2 ? samples : 1u; }
  std::size_t pixel_bytes() const noexcept { return block_samples() * sample_bytes(); }
  std::size_t block_row_bytes() const noexcept { return block_width * pixel_bytes(); }
  std::size_t image_row_bytes() const noexcept { return width * pixel_bytes(); }
  // Bytes of a block row as stored (after decompression): packed when the samples are.
  std::size_t stored_block_row_bytes() const noexcept {
    return packed() ? (std::size_t{block_width} * block_samples() * bits + 7) / 8 : block_row_bytes();
  }
  // JPEG-coded YCbCr, which libtiff decodes to RGB (JPEGCOLORMODE_RGB), subsampled or not.
  bool jpeg_ycbcr() const noexcept { return compression == COMPRESSION_JPEG && photometric == PHOTOMETRIC_YCBCR; }
  // In 64 bits: a size plus a block size wraps in 32 (found by fuzzing: one strip of
  // 3959422980 rows counted 0 strips down, and the chunk table indexed past the strips).
  std::uint32_t blocks_across() const noexcept {
    return static_cast<std::uint32_t>((std::uint64_t{width} + block_width - 1) / block_width);
  }
  std::uint32_t blocks_down() const noexcept {
    return static_cast<std::uint32_t>((std::uint64_t{length} + block_length - 1) / block_length);
  }
  std::uint64_t blocks_per_plane() const noexcept { return std::uint64_t{blocks_across()} * blocks_down(); }
  // Uncompressed strips of whole-byte samples: any row is addressable by byte offset, so
  // chunks may cut strips and neighbouring strips may be merged into one segment.
  bool row_addressable() const noexcept { return compression == 1 && !tiled && !packed(); }

  auto operator<=>(const TiffEncoding&) const = default;
};

// The element type of a page, or throws strata::Error(path, cause) for what a microscopy
// reader must not guess at: old-style JPEG, JPEG of other than 8-bit samples, LogLuv, bit
// depths other than whole bytes and packed 9-15-bit unsigned integers (read as uint16),
// float16, complex samples, subsampled YCbCr outside JPEG, codecs libtiff cannot decode.
DType check_page_supported(const TiffPage& page, const std::string& path, std::size_t ifd_index);

TiffEncoding encoding_of(const TiffPage& page, bool big_endian);

// "none", "deflate+predictor", "lzw", "packbits", "zstd+float-predictor", ...
std::string codec_name(const TiffEncoding& encoding);

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TiffEncoding, compression, predictor, bits, sample_format, samples, planar,
                                   fill_order, photometric, big_endian, tiled, width, length, block_width, block_length)

}  // namespace strata::tiff
