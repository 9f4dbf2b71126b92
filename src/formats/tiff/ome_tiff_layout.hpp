#pragma once
// The pure part of the OME-TIFF output: how an array maps onto OME planes, its OME-XML,
// where every byte of the BigTIFF goes, and the encoding of strips in place. No file access,
// no MPI (ome_tiff_writer.cpp does both).
//
// File layout: the 16-byte header, then one IFD per plane in plane order (each followed by
// its out-of-line values; IFD 0 carries the OME-XML), then with a pyramid the reduced
// resolution IFDs of level 1 for every plane, then those of level 2, ..., then the pixel
// data, window after window, rank after rank within a window. Every IFD's size depends only
// on the array's description, never on the data, so every rank knows where each IFD and
// where the data begin before anything is compressed, and writes its own planes' IFDs:
// ranks exchange only their compressed byte totals.
//
// A pyramid is stored as Bio-Formats 6+ and tifffile write it: each full-resolution IFD
// lists its reduced levels in a SubIFDs tag (330); those IFDs (NewSubfileType 1) have the
// same strips, compression and predictor, their planes halved in Y and X per level
// (model/pyramid.hpp).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strata/info.hpp"

namespace strata::ome_tiff {

// How the array is stored: one IFD per plane (YX, or YXS with interleaved samples).
struct PlaneFormat {
  DType dtype = DType::uint8;
  std::uint32_t width = 0;          // X
  std::uint32_t length = 0;         // Y
  std::uint16_t samples = 1;        // S
  std::uint16_t compression = 1;    // TIFF Compression: 1 none, 8 zlib, 50000 zstd
  std::uint16_t predictor = 1;      // 2 (horizontal) for compressed integer samples
  std::uint32_t rows_per_strip = 1;
  std::uint64_t planes = 1;         // IFDs: size_z * size_c * size_t
  std::string dimension_order;      // OME DimensionOrder, e.g. "XYZCT"
  std::int64_t size_z = 1, size_c = 1, size_t = 1;  // size_c counts planes; OME SizeC is size_c * samples

  std::size_t row_bytes() const noexcept { return std::size_t{width} * samples * size_of(dtype); }
  std::size_t plane_bytes() const noexcept { return row_bytes() * length; }
  std::uint32_t strips_per_plane() const noexcept { return (length + rows_per_strip - 1) / rows_per_strip; }
  // Raw bytes of a full strip, and of strip `k` of a plane (the last may be shorter).
  std::size_t strip_bytes() const noexcept { return row_bytes() * rows_per_strip; }
  std::size_t strip_bytes(std::uint32_t k) const noexcept;
};

// Level `level` of format's pyramid: Y and X halved `level` times, rounding up, as
// level_shape does; strips re-cut to the narrower rows.
PlaneFormat level_format(const PlaneFormat& format, int level);

// The codecs accepted by plane_format, "none" first.
inline constexpr std::array<std::string_view, 3> kCodecs{"none", "deflate", "zstd"};

// The storage of `info` (dims in any order of T, C, Z, then YX or YXS). Throws
// strata::Error (empty path) for what OME-TIFF cannot hold: 64-bit integers, other axes,
// no Y and X, an empty array, planes wider or longer than 2^32 - 1, an unknown codec.
PlaneFormat plane_format(const ArrayInfo& info, std::string_view codec);

// The OME-XML (2016-06 schema) of the file: one Image whose Pixels map IFD 0 onwards onto
// the planes. Physical sizes of X, Y, Z (and T as TimeIncrement) are written when their unit
// is one OME knows (or empty: OME's default µm or s); others are left out. Channel names are
// escaped; characters XML cannot hold are dropped. `origin` (in info.dims' order, empty:
// zeros) is where the array starts in the file it was cut from: when a physical size of X,
// Y or Z is known, every plane gets a Plane element whose PositionX/Y/Z is its first voxel's
// position in that file's frame (origin × physical size; Z counts the plane's own Z too).
std::string ome_xml(const ArrayInfo& info, const PlaneFormat& format, std::string_view uuid,
                    const std::vector<std::int64_t>& origin = {});

// The 16-byte little-endian BigTIFF header pointing at the first IFD.
std::array<std::byte, 16> bigtiff_header(std::uint64_t first_ifd);

// Where the IFDs and the pixel data lie, for `levels` resolution levels (1: no pyramid).
// `xml_bytes` is ome_xml(...).size().
class FileLayout {
 public:
  FileLayout(const PlaneFormat& format, std::size_t xml_bytes, int levels = 1);
  int levels() const noexcept { return static_cast<int>(formats_.size()); }
  const PlaneFormat& format(int level) const noexcept { return formats_[static_cast<std::size_t>(level)]; }
  // The IFD of `plane` at `level` (0: the full-resolution IFD of the main chain).
  std::uint64_t ifd_offset(std::uint64_t plane, int level = 0) const noexcept;
  std::uint64_t data_offset() const noexcept { return data_offset_; }

 private:
  std::vector<PlaneFormat> formats_;      // per level
  std::uint64_t first_ifd_bytes_;         // IFD 0 with its values and the OME-XML
  std::vector<std::uint64_t> ifd_bytes_;  // per level: any other IFD with its values
  std::vector<std::uint64_t> level_at_;   // per level >= 1: where its IFDs begin
  std::uint64_t data_offset_;
};

// Appends the IFD of `plane` at `level`, which lies at layout.ifd_offset(plane, level), with
// its out-of-line values: strip k of the plane is strip_sizes[k] bytes at strip_offsets[k].
// `xml` is written into IFD 0 only.
void append_ifd(std::vector<std::byte>& out, const FileLayout& layout, std::uint64_t plane, int level,
                std::span<const std::uint64_t> strip_offsets, std::span<const std::uint64_t> strip_sizes,
                std::string_view xml);

// Packs encoded blocks one after another into the front of the memory they were encoded
// from, so that no second copy of that memory is needed. A block may only be appended once
// the raw bytes it came from are consumed; it lands below `consumed_end`, and what does not
// fit there yet (a block a little larger than its raw bytes) waits in a spill buffer that
// later blocks' savings drain. The packed stream is in_place() followed by spill().
class InPlacePacker {
 public:
  explicit InPlacePacker(std::span<std::byte> memory) : memory_(memory) {}
  // Appends `block` (which lies outside the memory); memory_[0, consumed_end) is no longer
  // needed as raw input. consumed_end never decreases from one call to the next.
  void append(std::span<const std::byte> block, std::size_t consumed_end);
  std::span<const std::byte> in_place() const noexcept { return memory_.first(used_); }
  std::span<const std::byte> spill() const noexcept { return spill_; }
  std::uint64_t size() const noexcept { return used_ + spill_.size(); }

 private:
  std::span<std::byte> memory_;
  std::size_t used_ = 0;
  std::vector<std::byte> spill_;
};

// The stored size of every strip of `planes` planes stored raw.
std::vector<std::uint64_t> raw_strip_sizes(const PlaneFormat& format, std::int64_t planes);

// Encodes the strips of the whole planes in `memory` with format's codec (its predictor
// first, in place) on `threads` threads and packs them into that same memory with `packer`,
// built on it. Returns the stored size of each strip.
std::vector<std::uint64_t> encode_strips(std::span<std::byte> memory, const PlaneFormat& format,
                                         InPlacePacker& packer, int threads);

}  // namespace strata::ome_tiff
