#include "formats/tiff/tiff_chunks.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "strata/error.hpp"

namespace strata::tiff {
namespace {

class ChunkTableBuilder {
 public:
  ChunkTableBuilder(const TiffSeries& series, std::uint64_t max_chunk_bytes)
      : series_(series), max_chunk_bytes_(max_chunk_bytes) {
    for (const TiffStructure& file : series.files) out_.table.files.push_back(file.path);
  }

  TiffChunks build() && {
    const Shape& shape = series_.info.shape;
    const std::int64_t sizes_t = shape[0], sizes_c = shape[1], sizes_z = shape[2];
    for (std::int64_t t = 0; t < sizes_t; ++t)
      for (std::int64_t c = 0; c < sizes_c; ++c)
        for (std::int64_t z = 0; z < sizes_z; ++z)
          add_plane({t, c, z}, series_.planes[(t * sizes_c + c) * sizes_z + z]);
    out_.table.partial_block = partial_block();
    return std::move(out_);
  }

 private:
  std::uint32_t intern(const TiffEncoding& encoding) {
    auto [it, added] = encoding_index_.try_emplace(encoding, out_.encodings.size());
    if (added) {
      out_.encodings.push_back(encoding);
      out_.table.codecs.push_back(codec_name(encoding));
    }
    return it->second;
  }

  Box plane_box(const std::array<std::int64_t, 3>& tcz) const {
    Box box = Box::whole(series_.info.shape);
    for (std::size_t axis = 0; axis < 3; ++axis) {
      box.start[axis] = tcz[axis];
      box.stop[axis] = tcz[axis] + 1;
    }
    return box;
  }

  void add_plane(const std::array<std::int64_t, 3>& tcz, const PlaneSource& source) {
    Box box = plane_box(tcz);
    if (source.file < 0) {  // not stored: one chunk without segments, read as zeros
      out_.table.chunks.push_back(ChunkRef{box});
      return;
    }
    const TiffStructure& file = series_.files[source.file];
    const TiffPage& page = file.pages[source.page];
    const TiffEncoding e = encoding_of(page, file.big_endian);
    const std::vector<ByteRange> striles = checked_striles(file, source, e);
    const std::uint32_t encoding = intern(e);

    const std::int64_t length = e.length;
    const std::int64_t band_rows = rows_per_band(e);
    const bool separate = e.sample_planes() > 1;
    for (std::int64_t y0 = 0; y0 < length; y0 += band_rows) {
      const std::int64_t y1 = std::min(length, y0 + band_rows);
      box.start[3] = y0;
      box.stop[3] = y1;
      for (std::size_t plane = 0; plane < e.sample_planes(); ++plane) {
        if (separate) {
          box.start[5] = static_cast<std::int64_t>(plane);
          box.stop[5] = box.start[5] + 1;
        }
        ChunkRef chunk;
        chunk.box = box;
        chunk.file = static_cast<std::uint32_t>(source.file);
        chunk.encoding = encoding;
        chunk.segments = e.row_addressable() ? row_segments(striles, e, plane, y0, y1)
                                             : block_segments(striles, e, plane, y0, y1);
        chunk.ifd_offset = page.ifd_offset;
        out_.table.chunks.push_back(std::move(chunk));
      }
    }
  }

  // The part of a chunk the reader decodes alone: a strip or a tile (a row, uncompressed),
  // all samples of a pixel. Only when every page agrees; else none (the planner then keeps
  // chunks whole, which is never wrong, only slower to share).
  Shape partial_block() const {
    Shape block;
    for (const TiffEncoding& e : out_.encodings) {
      Shape b(series_.info.shape.size(), 1);
      if (!e.row_addressable()) b[3] = e.block_length, b[4] = e.block_width;
      if (b.size() > 5 && e.sample_planes() == 1) b[5] = series_.info.shape[5];
      if (!block.empty() && block != b) return {};
      block = std::move(b);
    }
    return block;
  }

  std::int64_t rows_per_band(const TiffEncoding& e) const {
    const std::uint64_t row_bytes = e.image_row_bytes();
    if (std::uint64_t{e.length} * row_bytes <= max_chunk_bytes_) return e.length;
    if (e.row_addressable())
      return static_cast<std::int64_t>(std::max<std::uint64_t>(1, max_chunk_bytes_ / row_bytes));
    const std::uint64_t block_row_bytes = std::uint64_t{e.block_length} * row_bytes;
    return static_cast<std::int64_t>(std::max<std::uint64_t>(1, max_chunk_bytes_ / block_row_bytes) *
                                     e.block_length);
  }

  // Byte runs of rows [y0, y1) of sample plane `plane`, merging strips that lie back to back.
  static std::vector<ByteRange> row_segments(const std::vector<ByteRange>& striles,
                                             const TiffEncoding& e, std::size_t plane,
                                             std::int64_t y0, std::int64_t y1) {
    std::vector<ByteRange> segments;
    const std::uint64_t row_bytes = e.image_row_bytes();
    const std::int64_t strip_rows = e.block_length;
    for (std::int64_t strip = y0 / strip_rows; strip * strip_rows < y1; ++strip) {
      const ByteRange& stored = striles[plane * e.blocks_down() + strip];
      const std::int64_t first = std::max(y0, strip * strip_rows);
      const std::int64_t last = std::min(y1, (strip + 1) * strip_rows);
      ByteRange run{stored.offset + (first - strip * strip_rows) * row_bytes,
                    (last - first) * row_bytes};
      if (!segments.empty() && segments.back().offset + segments.back().size == run.offset)
        segments.back().size += run.size;
      else
        segments.push_back(run);
    }
    return segments;
  }

  // The strips or tiles of block rows covering [y0, y1) of sample plane `plane`.
  static std::vector<ByteRange> block_segments(const std::vector<ByteRange>& striles,
                                               const TiffEncoding& e, std::size_t plane,
                                               std::int64_t y0, std::int64_t y1) {
    const std::int64_t first = y0 / e.block_length;
    const std::int64_t last = (y1 + e.block_length - 1) / e.block_length;
    const auto begin = striles.begin() + static_cast<std::ptrdiff_t>(
                                             plane * e.blocks_per_plane() + first * e.blocks_across());
    return {begin, begin + (last - first) * e.blocks_across()};
  }

  // The page's strips or tiles, shifted by the plane's data shift, checked against the file;
  // uncompressed ones trimmed to the bytes their rows need.
  static std::vector<ByteRange> checked_striles(const TiffStructure& file, const PlaneSource& source,
                                                const TiffEncoding& e) {
    const TiffPage& page = file.pages[source.page];
    const std::string what = e.tiled ? "tile" : "strip";
    auto fail = [&](const std::string& why) {
      throw Error(file.path, "IFD " + std::to_string(source.page) + ": " + why);
    };
    const std::uint64_t expected = e.sample_planes() * e.blocks_per_plane();
    if (page.striles.size() != expected)
      fail("it has " + std::to_string(page.striles.size()) + " " + what + "s, but its size" +
           (e.tiled ? " and tile size imply " : " and RowsPerStrip=" + std::to_string(page.rows_per_strip) + " imply ") +
           std::to_string(expected));
    std::vector<ByteRange> striles = page.striles;
    for (std::size_t i = 0; i < striles.size(); ++i) {
      ByteRange& s = striles[i];
      s.offset += source.data_shift;
      // Named only on failure: a page of big tiles has thousands of them.
      auto which = [&] { return what + " " + std::to_string(i); };
      if (s.size == 0) fail(which() + " has no data (byte count 0)");
      if (e.compression == 1) {
        const std::uint64_t block_row = i % e.blocks_per_plane() / e.blocks_across();
        const std::uint64_t rows =
            e.tiled ? e.block_length
                    : std::min<std::uint64_t>(e.block_length, e.length - block_row * e.block_length);
        const std::uint64_t needed = rows * e.stored_block_row_bytes();
        if (s.size < needed)
          fail(which() + " holds " + std::to_string(s.size) + " bytes, but uncompressed it needs " +
               std::to_string(needed));
        s.size = needed;  // writers may pad; a single IFD's count may cover later planes
      }
      if (s.offset > file.file_size || s.size > file.file_size - s.offset)
        fail(which() + " (offset " + std::to_string(s.offset) + ", " + std::to_string(s.size) +
             " bytes) lies beyond the end of the file (" + std::to_string(file.file_size) + " bytes)");
    }
    return striles;
  }

  const TiffSeries& series_;
  const std::uint64_t max_chunk_bytes_;
  TiffChunks out_;
  std::map<TiffEncoding, std::uint32_t> encoding_index_;
};

}  // namespace

TiffChunks build_chunk_table(const TiffSeries& series, std::uint64_t max_chunk_bytes) {
  return ChunkTableBuilder(series, max_chunk_bytes).build();
}

}  // namespace strata::tiff
