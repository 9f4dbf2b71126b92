#pragma once
// The optional writing half of a Format (formats/format.hpp): a writer puts an array that is
// distributed over the ranks as runs of planes into a new file or folder, in parallel,
// without gathering it, and without holding it: it receives each rank's planes as a stream
// of bounded windows (array/write.cpp), every level of a pyramid at once. The caller
// (array/commit.hpp) picks a temporary path beside the destination and renames it only
// when every rank succeeded (flushing it to disk first); a writer only ever creates
// `spec.path`, and may leave it in any state when it fails.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "formats/format.hpp"
#include "strata/buffer.hpp"
#include "strata/error.hpp"
#include "strata/info.hpp"

namespace strata {

namespace mpi {
class Comm;
}

// What every rank agrees to write.
struct OutputSpec {
  std::string path;                  // what the writer creates (a temporary name)
  std::string destination;           // what the user named: for a message printed before the job ends
  ArrayInfo info;                    // level 0, the whole array: dims, shape, dtype, sizes, channels
  int plane_axes = 2;                // trailing axes of one plane (strata/slab.hpp)
  std::string codec;                 // one of the writer's codecs
  std::vector<std::int64_t> origin;  // where the array starts in the file it came from (selection start)
  int levels = 1;                    // resolution levels (model/pyramid.hpp); 1 = no pyramid
  int zarr_format = 2;               // Zarr outputs: 2 or 3
  std::vector<std::int64_t> shard;   // Zarr v3: elements per shard along each axis (0: one chunk)
};

// A run of one rank's planes at every level. Planes keep their numbers at every level
// (levels halve only Y and X).
struct PlaneWindow {
  std::int64_t plane_begin = 0;  // planes [plane_begin, plane_end) of the array
  std::int64_t plane_end = 0;
  std::vector<View> levels;      // levels[k]: those planes of level k, C order, contiguous

  std::int64_t planes() const noexcept { return plane_end - plane_begin; }
};

// One rank's side of an output being written.
class OutputStream {
 public:
  virtual ~OutputStream() = default;
  // Collective: called the same number of times on every rank, each rank's windows in
  // plane order (a rank with no planes left gets empty windows). The views are valid only
  // during the call, and the stream may overwrite them (the OME-TIFF output encodes into
  // them). Local failures must be agreed (mpi::agreed) before any collective call.
  virtual void write(const mpi::Comm& comm, const PlaneWindow& window) = 0;
  // Collective, after the last window: completes the output (metadata, indexes, closing).
  virtual void finish(const mpi::Comm& comm) = 0;
  // Collective, after `failure`, which every rank agreed on: releases what the stream holds
  // before the temporary goes. Throws UnagreedFailure when that fails inside a collective
  // third-party call.
  virtual void abandon(const mpi::Comm& comm, const Error& failure) {
    (void)comm;
    (void)failure;
  }
};

// A failure inside a collective call of a third-party library (HDF5's close, flush or
// collective write under MPI-IO): the other ranks are inside that call and cannot be told,
// so it is never agreed. write_output ends the job on it (PendingOutput::abort): the message
// from this rank, then MPI_Abort, rather than ranks waiting for ever in different collectives
// or a library left half-closed crashing at MPI_Finalize.
class UnagreedFailure : public Error {
 public:
  explicit UnagreedFailure(const Error& e) : Error(e) {}
};

struct FormatWriter {
  std::string_view name;                   // "hdf5", "zarr", "npy", "ome-tiff"
  std::string_view kind;                   // what an output is, in messages: "Zarr store", "TIFF file"
  std::vector<std::string_view> suffixes;  // lower case, with the dot: ".h5", ".ome.tif"
  std::vector<std::string_view> codecs;    // accepted --compress values ("none" included)
  std::string_view default_codec;          // used when --compress is not given

  // Pure: how many consecutive planes along the innermost leading axis one rank must
  // write together (a Zarr v3 shard's depth); 1 when a rank may stop after any plane.
  // Throws strata::Error for options the writer does not support.
  std::int64_t (*plane_group)(const OutputSpec& spec);
  // Collective: creates spec.path and returns this rank's stream; rank r will write planes
  // [plane_bounds[r], plane_bounds[r+1]) (the same bounds on every rank). Throws
  // strata::Error (path may be empty: the caller names the output), the same on every rank.
  std::unique_ptr<OutputStream> (*open)(const mpi::Comm& comm, const OutputSpec& spec,
                                        const std::vector<std::int64_t>& plane_bounds);
};

// The format whose writer's suffix ends `path` (case-insensitive), or Error naming the
// known suffixes.
const Format& format_for_output(const std::string& path);

}  // namespace strata
