#pragma once
// The chunk table of a TIFF series: one chunk per (plane, sample plane) covering its YX
// plane, cut into bands of whole strips, rows of tiles or (uncompressed strips) rows when
// its decoded size exceeds a limit. Each chunk lists its own stored segments.
#include <cstdint>
#include <vector>

#include "formats/tiff/tiff_encoding.hpp"
#include "formats/tiff/tiff_series.hpp"
#include "strata/chunk.hpp"

namespace strata::tiff {

inline constexpr std::uint64_t kMaxChunkBytes = std::uint64_t{64} << 20;

struct TiffChunks {
  ChunkTable table;                     // codecs[i] names encodings[i]
  std::vector<TiffEncoding> encodings;
};

// Segments of a chunk: for uncompressed strips, byte runs of whole rows (neighbouring strips
// merged); otherwise one segment per strip or tile, row-major over the band's blocks.
// ChunkRef::ifd_offset is the page's IFD offset. Throws strata::Error naming the file when a
// page's strips or tiles are inconsistent (wrong count, empty, beyond the end of the file,
// too short for uncompressed data).
TiffChunks build_chunk_table(const TiffSeries& series, std::uint64_t max_chunk_bytes = kMaxChunkBytes);

}  // namespace strata::tiff
