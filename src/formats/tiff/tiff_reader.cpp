#include "formats/tiff/tiff_reader.hpp"

#include <tiffio.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>

#include "codecs/byte_order.hpp"
#include "codecs/deflate.hpp"
#include "codecs/packed_bits.hpp"
#include "codecs/predictor.hpp"
#include "codecs/zstd.hpp"
#include "formats/tiff/libtiff_handle.hpp"
#include "io/chunk_io.hpp"
#include "io/file.hpp"
#include "strata/error.hpp"

namespace strata::tiff {

class OpenTiffFile {
 public:
  io::File file;
  std::mutex pool_mutex;
  std::vector<LibtiffHandle> idle;  // libtiff handles no thread is using

  explicit OpenTiffFile(std::string path) : file(std::move(path)) {}
};

namespace {

using io::scratch;
using io::Scratch;

// Rows of uncompressed data read through scratch at a time when they cannot go straight
// to the destination.
constexpr std::size_t kScratchPieceBytes = std::size_t{4} << 20;

// Where the decoded samples of one chunk land: the region in image rows, columns and
// block-sample indices, and the destination's byte strides along them.
struct Target {
  std::byte* origin = nullptr;  // destination of (y0, x0, s0)
  std::int64_t y0 = 0, y1 = 0, x0 = 0, x1 = 0, s0 = 0, s1 = 1;
  std::int64_t row_stride = 0, col_stride = 0, sample_stride = 0;
  std::size_t sample_bytes = 1;
  std::size_t block_samples = 1;  // samples per pixel as blocks store them

  std::byte* at(std::int64_t y, std::int64_t x) const {
    return origin + (y - y0) * row_stride + (x - x0) * col_stride;
  }
  std::size_t pixel_bytes() const { return block_samples * sample_bytes; }
  // Destination rows hold whole pixels back to back, exactly as blocks store them.
  bool whole_pixels() const {
    return s0 == 0 && s1 == static_cast<std::int64_t>(block_samples) &&
           col_stride == static_cast<std::int64_t>(pixel_bytes()) &&
           (block_samples == 1 || sample_stride == static_cast<std::int64_t>(sample_bytes));
  }
  // Whole image rows land back to back in the destination.
  bool full_rows(const TiffEncoding& e) const {
    return whole_pixels() && x0 == 0 && x1 == e.width &&
           row_stride == static_cast<std::int64_t>(e.image_row_bytes());
  }
};

Target make_target(const ChunkRef& chunk, const Box& region, const View& dest, const TiffEncoding& e) {
  Target t;
  t.origin = dest.data;
  t.y0 = region.start[3];
  t.y1 = region.stop[3];
  t.x0 = region.start[4];
  t.x1 = region.stop[4];
  t.row_stride = dest.byte_strides[3];
  t.col_stride = dest.byte_strides[4];
  t.sample_bytes = e.sample_bytes();
  t.block_samples = e.block_samples();
  t.sample_stride = static_cast<std::int64_t>(t.sample_bytes);
  if (region.rank() == 6) {
    // Separate planes: the chunk holds one sample, index 0 within its blocks.
    const std::int64_t first = e.sample_planes() > 1 ? chunk.box.start[5] : 0;
    t.s0 = region.start[5] - first;
    t.s1 = region.stop[5] - first;
    t.sample_stride = dest.byte_strides[5];
  }
  return t;
}

template <std::size_t N>
void copy_samples(const std::byte* src, std::byte* dst, std::int64_t pixels, std::int64_t samples,
                    std::size_t src_pixel, std::int64_t dst_pixel, std::int64_t dst_sample) {
  for (std::int64_t x = 0; x < pixels; ++x)
    for (std::int64_t s = 0; s < samples; ++s)
      std::memcpy(dst + x * dst_pixel + s * dst_sample, src + x * src_pixel + s * N, N);
}

// Copies the part of a decoded block inside the target. The block's rows hold `cols`
// pixels; its top-left pixel is image (by, bx); `rows` of its rows are image rows.
void copy_block(const std::byte* block, std::int64_t by, std::int64_t bx, std::int64_t rows,
                std::int64_t cols, const Target& t) {
  const std::int64_t ya = std::max(by, t.y0), yb = std::min(by + rows, t.y1);
  const std::int64_t xa = std::max(bx, t.x0), xb = std::min(bx + cols, t.x1);
  if (ya >= yb || xa >= xb) return;
  const std::size_t pixel = t.pixel_bytes();
  const bool whole = t.whole_pixels();
  for (std::int64_t y = ya; y < yb; ++y) {
    const std::byte* src = block + ((y - by) * cols + (xa - bx)) * pixel + t.s0 * t.sample_bytes;
    std::byte* dst = t.at(y, xa);
    if (whole) {
      std::memcpy(dst, src, (xb - xa) * pixel);
      continue;
    }
    const std::int64_t n = xb - xa, ns = t.s1 - t.s0;
    switch (t.sample_bytes) {
      case 1: copy_samples<1>(src, dst, n, ns, pixel, t.col_stride, t.sample_stride); break;
      case 2: copy_samples<2>(src, dst, n, ns, pixel, t.col_stride, t.sample_stride); break;
      case 4: copy_samples<4>(src, dst, n, ns, pixel, t.col_stride, t.sample_stride); break;
      default: copy_samples<8>(src, dst, n, ns, pixel, t.col_stride, t.sample_stride); break;
    }
  }
}

// Raw uncompressed samples to native form: bit order (FillOrder=2), then byte order.
// Packed samples are a bit stream: no byte order to fix.
void fix_raw(std::span<std::byte> data, const TiffEncoding& e) {
  if (e.fill_order == FILLORDER_LSB2MSB) codecs::reverse_bits(data);
  if (e.big_endian && !e.packed()) codecs::swap_bytes(data, e.sample_bytes());
}

// Decoded Deflate/Zstandard blocks to native samples, as libtiff's post-decoding does.
void finish_decoded(std::span<std::byte> block, const TiffEncoding& e) {
  if (e.predictor == PREDICTOR_FLOATINGPOINT) {
    codecs::undo_float_predictor(block, e.block_row_bytes(), e.sample_bytes(), e.block_samples(),
                                 scratch(Scratch::stage_a, e.block_row_bytes()));
    return;  // the floating-point predictor's output is already native
  }
  if (e.big_endian && !e.packed()) codecs::swap_bytes(block, e.sample_bytes());
  if (e.predictor == PREDICTOR_HORIZONTAL)
    codecs::undo_horizontal_predictor(block, e.block_row_bytes(), e.sample_bytes(), e.block_samples());
}

bool decoded_by_strata(std::uint16_t compression) {
  return compression == COMPRESSION_NONE || compression == COMPRESSION_ADOBE_DEFLATE ||
         compression == COMPRESSION_DEFLATE || compression == COMPRESSION_ZSTD;
}

// Decodes a compressed block into `out` (exactly the block's bytes). A stream that holds
// more than that (some writers code the last strip at full height) is cut, as libtiff does
// by stopping when its buffer is full.
void decompress_block(std::uint16_t compression, std::span<const std::byte> raw, std::span<std::byte> out) {
  if (compression == COMPRESSION_ZSTD)
    codecs::decompress_zstd_prefix(raw, out);
  else
    codecs::inflate_zlib_prefix(raw, out);
}

// A libtiff handle borrowed from a file's pool; handed back only after a clean decode,
// since libtiff's state after an error is not worth trusting.
class HandleLease {
 public:
  explicit HandleLease(OpenTiffFile& file) : file_(file) {
    {
      std::lock_guard lock(file_.pool_mutex);
      if (!file_.idle.empty()) {
        handle_.emplace(std::move(file_.idle.back()));
        file_.idle.pop_back();
      }
    }
    if (!handle_) handle_.emplace(file_.file.path(), "rch");  // "h": no directory read on open
  }
  ~HandleLease() {
    if (!healthy_) return;
    std::lock_guard lock(file_.pool_mutex);
    file_.idle.push_back(std::move(*handle_));
  }
  HandleLease(const HandleLease&) = delete;
  HandleLease& operator=(const HandleLease&) = delete;

  // Reads block `index` of the IFD at `ifd_offset`, stored as `e` says, into `out` with libtiff.
  void read_block(std::uint64_t ifd_offset, const TiffEncoding& e, std::uint32_t index, std::span<std::byte> out) {
    healthy_ = false;
    const bool tiled = e.tiled;
    LibtiffHandle& h = *handle_;
    TIFF* tif = h.get();
    h.clear_error();
    // TIFFSetSubDirectory jumps straight to the offset; TIFFSetDirectory(n) would walk the chain.
    if (TIFFCurrentDirOffset(tif) != ifd_offset) {
      if (!TIFFSetSubDirectory(tif, ifd_offset)) h.fail("cannot read the IFD at offset " + std::to_string(ifd_offset));
      // JPEG's YCbCr comes out as RGB, upsampled: what every viewer shows and the S axis
      // promises. The setting is per directory, so it follows every change of directory.
      if (e.jpeg_ycbcr() && !TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB))
        h.fail("cannot have libtiff convert JPEG YCbCr to RGB");
    }
    const auto size = static_cast<tmsize_t>(out.size());
    const tmsize_t got = tiled ? TIFFReadEncodedTile(tif, index, out.data(), size)
                               : TIFFReadEncodedStrip(tif, index, out.data(), size);
    if (got < 0) h.fail(std::string("libtiff cannot decode ") + (tiled ? "tile " : "strip ") + std::to_string(index));
    if (got < size)
      throw Error("", "libtiff decoded " + std::to_string(got) + " bytes of " +
                          (tiled ? "tile " : "strip ") + std::to_string(index) + ", expected " +
                          std::to_string(size));
    healthy_ = true;
  }

 private:
  OpenTiffFile& file_;
  std::optional<LibtiffHandle> handle_;
  bool healthy_ = true;
};

// Uncompressed strips: the chunk's segments are runs of whole rows.
void read_rows(const io::File& file, const ChunkRef& chunk, const TiffEncoding& e, const Target& t) {
  const std::size_t row_bytes = e.image_row_bytes();
  const bool direct = t.whole_pixels() && t.x0 == 0 && t.x1 == e.width;
  std::int64_t row = chunk.box.start[3];
  for (const ByteRange& segment : chunk.segments) {
    const auto rows = static_cast<std::int64_t>(segment.size / row_bytes);
    const std::int64_t a = std::max(row, t.y0), b = std::min(row + rows, t.y1);
    for (std::int64_t y = a; y < b;) {
      const std::uint64_t offset = segment.offset + (y - row) * row_bytes;
      std::int64_t n;
      if (direct && t.full_rows(e)) {
        n = b - y;  // straight into the destination, all rows at once
        std::span<std::byte> into(t.at(y, 0), n * row_bytes);
        file.read_at(into, offset);
        fix_raw(into, e);
      } else if (direct) {
        n = 1;  // rows contiguous but spaced apart in the destination
        std::span<std::byte> into(t.at(y, 0), row_bytes);
        file.read_at(into, offset);
        fix_raw(into, e);
      } else {
        n = std::min<std::int64_t>(b - y, std::max<std::size_t>(1, kScratchPieceBytes / row_bytes));
        std::span<std::byte> rows_read = scratch(Scratch::decoded, n * row_bytes);
        file.read_at(rows_read, offset);
        fix_raw(rows_read, e);
        copy_block(rows_read.data(), y, 0, n, e.width, t);
      }
      y += n;
    }
    row += rows;
  }
}

// Strips of compressed data, or tiles: one segment per block, row-major over the chunk's
// block rows.
void read_blocks(OpenTiffFile& file, const ChunkRef& chunk, const TiffEncoding& e,
                 const Target& t) {
  const std::int64_t across = e.blocks_across();
  const std::int64_t block_length = e.block_length;
  const std::int64_t chunk_y = chunk.box.start[3];
  const std::int64_t plane = e.sample_planes() > 1 ? chunk.box.start[5] : 0;
  const auto first_index = static_cast<std::uint32_t>(plane * e.blocks_per_plane() +
                                                      chunk_y / block_length * across);
  std::optional<HandleLease> lease;  // only for codecs strata does not decode itself
  for (std::size_t k = 0; k < chunk.segments.size(); ++k) {
    const std::int64_t by = chunk_y + static_cast<std::int64_t>(k) / across * block_length;
    const std::int64_t bx = static_cast<std::int64_t>(k) % across * e.block_width;
    const std::int64_t rows = std::min<std::int64_t>(block_length, e.length - by);
    if (by >= t.y1 || by + rows <= t.y0 || bx >= t.x1 || bx + e.block_width <= t.x0) continue;

    // Tiles decode to full tiles; the last strip holds only the image's remaining rows.
    const std::size_t out_bytes = (e.tiled ? block_length : rows) * e.block_row_bytes();
    const bool into_dest = !e.tiled && t.full_rows(e) && by >= t.y0 && by + rows <= t.y1;
    std::span<std::byte> out =
        into_dest ? std::span<std::byte>(t.at(by, 0), out_bytes) : scratch(Scratch::decoded, out_bytes);

    const ByteRange& segment = chunk.segments[k];
    // Packed samples decode into scratch first, then unpack into `out`.
    std::span<std::byte> decoded =
        e.packed() ? scratch(Scratch::stage_b, (e.tiled ? block_length : rows) * e.stored_block_row_bytes()) : out;
    if (!decoded_by_strata(e.compression)) {
      if (!lease) lease.emplace(file);
      lease->read_block(chunk.ifd_offset, e, first_index + static_cast<std::uint32_t>(k), decoded);
    } else if (e.compression == COMPRESSION_NONE) {
      file.file.read_at(decoded, segment.offset);
      fix_raw(decoded, e);
    } else {
      std::span<std::byte> raw = scratch(Scratch::stored, segment.size);
      file.file.read_at(raw, segment.offset);
      if (e.fill_order == FILLORDER_LSB2MSB) codecs::reverse_bits(raw);
      decompress_block(e.compression, raw, decoded);
      finish_decoded(decoded, e);
    }
    if (e.packed()) codecs::unpack_to_uint16(decoded, out, e.block_width * e.block_samples(), e.bits);
    if (!into_dest) copy_block(out.data(), by, bx, rows, e.block_width, t);
  }
}

}  // namespace

TiffReader::TiffReader(std::vector<std::string> files, std::vector<TiffEncoding> encodings)
    : encodings_(std::move(encodings)) {
  files_.reserve(files.size());
  for (std::string& path : files) files_.push_back(std::make_unique<OpenTiffFile>(std::move(path)));
}

TiffReader::~TiffReader() = default;

void TiffReader::read(const ChunkRef& chunk, const Box& region, const View& dest) const {
  const TiffEncoding& e = encodings_.at(chunk.encoding);
  const Target target = make_target(chunk, region, dest, e);
  OpenTiffFile& f = *files_.at(chunk.file);
  if (e.row_addressable())
    read_rows(f.file, chunk, e, target);
  else
    read_blocks(f, chunk, e, target);
}

}  // namespace strata::tiff
