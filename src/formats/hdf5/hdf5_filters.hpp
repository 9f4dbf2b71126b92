#pragma once
// HDF5 filter pipelines undone by strata itself, on raw chunk bytes read with pread: the
// decoders (src/codecs) run in any thread, outside the HDF5 lock. Knows nothing of files or
// of the HDF5 library; errors carry no path (callers add it).
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace strata::hdf5 {

// HDF5's filter ids (H5Zpublic.h and the registered third-party ids).
enum FilterId : int {
  kDeflate = 1,
  kShuffle = 2,
  kFletcher32 = 3,
  kSzip = 4,
  kNbit = 5,
  kScaleOffset = 6,
  kLzf = 32000,
  kBlosc = 32001,
  kZstd = 32015,
};

// One stage of a dataset's pipeline, as H5Pget_filter2 reports it.
struct Filter {
  int id = 0;
  std::vector<unsigned> params;  // cd_values
};
// In the order HDF5 applies them when writing; reading undoes them last to first.
using Pipeline = std::vector<Filter>;

// Whether decode_chunk undoes filter `id` (deflate, shuffle, fletcher32, lzf, blosc, zstd).
bool decodes(int id) noexcept;
std::string filter_name(int id);
// The codec name of chunks written through `pipeline` with the filters whose bit is set
// in `filter_mask` skipped, e.g. "shuffle+deflate" or "blosc-lz4+shuffle"; "raw" for none.
std::string codec_name(const Pipeline& pipeline, unsigned filter_mask);
// Whether any filter of `pipeline` is applied to a chunk stored with `filter_mask`.
bool any_applied(const Pipeline& pipeline, unsigned filter_mask) noexcept;

// Undoes `pipeline` (every filter must satisfy decodes()) on the stored bytes of one chunk,
// writing its `out.size()` decoded bytes into `out`. `element_size` is the dataset's
// element size (for shuffle). Throws strata::Error on corrupt data, a failed Fletcher32
// checksum or a size that does not match.
void decode_chunk(const Pipeline& pipeline, unsigned filter_mask, std::span<const std::byte> stored,
                  std::span<std::byte> out, std::size_t element_size);

}  // namespace strata::hdf5
