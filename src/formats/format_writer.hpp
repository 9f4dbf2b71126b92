#pragma once
// The optional writing half of a Format (formats/format.hpp): a writer puts an array that is
// distributed as slabs (one per rank) into a new file or folder, in parallel, without
// gathering it. The caller (array/commit.hpp) picks a temporary path beside the destination
// and renames it only when every rank succeeded; a writer only ever creates `path`.
#include <string>
#include <string_view>
#include <vector>

#include "formats/format.hpp"
#include "strata/info.hpp"
#include "strata/slab.hpp"

namespace strata {

namespace mpi {
class Comm;
}

struct FormatWriter {
  std::string_view name;                   // "hdf5", "zarr", "npy", "ome-tiff"
  std::vector<std::string_view> suffixes;  // lower case, with the dot: ".h5", ".ome.tif"
  std::vector<std::string_view> codecs;    // accepted --compress values ("none" included)
  std::string_view default_codec;          // used when --compress is not given

  // Collective over `comm`. `info` describes the whole array being written (dims, shape,
  // dtype, physical sizes, channel names: shape == slab.shape); `slab` is this rank's part,
  // which the writer may consume (e.g. pack compressed bytes into its memory).
  // `codec` is one of `codecs`. Throws strata::Error (path may be empty: the caller names
  // the output) with the same error on every rank: local failures must be agreed
  // (mpi::agreed) before the next collective call, so that no rank hangs.
  void (*write)(const mpi::Comm& comm, const std::string& path, const ArrayInfo& info, Slab& slab,
                std::string_view codec);
};

// The format whose writer's suffix ends `path` (case-insensitive), or Error naming the
// known suffixes.
const Format& format_for_output(const std::string& path);

}  // namespace strata
