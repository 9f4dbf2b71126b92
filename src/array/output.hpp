#pragma once
// Writing an array to a new file: the part every writing path shares (Array::write streams a
// file's planes, Expression::write hands over computed slabs). Picks the format by the
// output's suffix, checks the options, feeds the format's OutputStream window by window
// with every pyramid level, and commits atomically (PendingOutput).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mpi/comm.hpp"
#include "strata/array.hpp"

namespace strata {

// This rank's planes of the array being written, window by window: every rank steps the
// same number of times (formats/format_writer.hpp).
class PlaneSource {
 public:
  virtual ~PlaneSource() = default;
  virtual const std::vector<std::int64_t>& plane_bounds() const = 0;  // of every rank
  virtual std::int64_t max_window_planes() const = 0;                 // over every rank
  virtual bool next() = 0;                                             // collective
  virtual const View& window() const = 0;                              // C order, planes × plane
  virtual std::int64_t plane_begin() const = 0;
  virtual std::int64_t plane_end() const = 0;
  virtual double wait_seconds() const = 0;  // spent waiting for the planes so far
};

// Collective: a slab already in memory as one window per rank.
std::unique_ptr<PlaneSource> slab_source(const mpi::Comm& comm, Slab slab);

// What an output of `selection` of a file holds: the file's metadata for the selected part.
ArrayInfo selected_info(const ArrayInfo& file, const Box& selection);

// Collective. `origin` is where the array starts in the file it came from. `source(group)`
// gives this rank's planes, keeping runs of `group` planes along the innermost leading axis
// on one rank and in one window (an output's shard); it is called once the name and options
// were checked on every rank, so a bad one fails everywhere before anything is read.
using SourceFactory = std::function<std::unique_ptr<PlaneSource>(std::int64_t group, ReadStats* stats)>;
WriteStats write_output(const mpi::Comm& comm, const std::string& path, const WriteOptions& options, ArrayInfo info,
                        std::vector<std::int64_t> origin, const SourceFactory& source);

}  // namespace strata
