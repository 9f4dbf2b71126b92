#pragma once
// The delayed array: a handle to an opened file plus a selection. It costs nothing until
// computed; computing it is collective over the communicator it was opened on.
#include <mpi.h>

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "strata/buffer.hpp"
#include "strata/driver.hpp"
#include "strata/layout.hpp"
#include "strata/part.hpp"
#include "strata/plan.hpp"
#include "strata/selection.hpp"
#include "strata/slab.hpp"

namespace strata {

namespace mpi {
class Comm;  // src/mpi/comm.hpp
}
class PlaneStream;  // strata/stream.hpp
struct StreamOptions;

// How far a collective read or conversion has come, summed over every rank.
struct Progress {
  std::uint64_t bytes_done = 0;  // decoded bytes of the array
  std::uint64_t bytes_total = 0;
};

struct ReadOptions {
  Strategy strategy = Strategy::bytes;
  CostModel cost;
  int threads = 0;  // decode threads per rank; 0 = the CPUs this rank may use
  int root = 0;     // the rank that receives a gathered array
  // Bytes one rank may hold: a read whose part on some rank needs more is refused on every
  // rank before anything is allocated; a conversion (Array::write) streams within it. 0: the
  // rank's share of what its node has available when the read starts (MemAvailable, and the
  // cgroup's limit less its usage, over the ranks on the node).
  std::uint64_t max_memory = 0;
  // Chunks a read may list: a selection meeting more (stored or not) is refused on every rank
  // before any is listed, as listing, sending and planning a table take about 25 µs and
  // 1.4 KiB a chunk (docs/benchmarks.md): 10^7 chunks would run for minutes. 0: kDefaultMaxChunks.
  std::uint64_t max_chunks = 0;
  static constexpr std::uint64_t kDefaultMaxChunks = std::uint64_t{1} << 22;  // 4,194,304
  // Called on every rank, from the calling thread, as a streamed read or conversion moves on
  // (once per window); collective reads without windows do not call it.
  std::function<void(const Progress&)> progress;
};

struct ReadStats {
  double seconds = 0;                // wall time of the read, max over ranks
  std::uint64_t bytes = 0;           // bytes of the selected array
  std::uint64_t peak_rss_bytes = 0;  // largest peak resident set of any rank
  int ranks = 1;
  double imbalance = 0;              // the plan's estimated imbalance
  std::uint64_t bytes_moved = 0;      // bytes sent between ranks, summed over ranks
  std::uint64_t bytes_not_owned = 0;  // bytes decoded by a rank that does not keep them, summed
  std::vector<std::uint64_t> rank_bytes_sent;      // per rank, in rank order
  std::vector<std::uint64_t> rank_peak_rss_bytes;  // per rank, in rank order
};

struct WriteOptions {
  ReadOptions read;        // read.max_memory bounds each rank's window of planes
  std::string codec;       // one of the output format's codecs; empty = its default
  bool overwrite = false;  // replace an existing output (the CLI: --force)
  int levels = 1;          // resolution levels: each halves Y and X by the mean (a pyramid)
  int zarr_format = 2;     // .zarr outputs: 2 or 3
  // Zarr v3: elements per shard along axes named by their dims letter ("Z" -> 64); axes not
  // named keep one chunk per shard. Empty: no sharding.
  std::map<char, std::int64_t> shard;
};

struct WriteStats {
  ReadStats read;                  // the slab read (its seconds: decoding only)
  double write_seconds = 0;        // writing and committing, max over ranks
  std::uint64_t output_bytes = 0;  // size of what was written (all its files)
  std::string format;              // "hdf5", "zarr", "npy", "ome-tiff"
  std::string codec;
};

// A default-constructed Array holds no file: bytes() is 0, comm() is MPI_COMM_NULL, and
// everything else throws strata::Error. Collective calls take the same options on every rank.
class Array {
 public:
  // Collective: rank 0 opens the file, every rank gets the same chunk table. Errors are
  // agreed: every rank throws the same strata::Error.
  static Array open(const std::string& path, MPI_Comm comm, const OpenOptions& options = {});

  const ArrayInfo& info() const;  // of the whole file
  const std::string& dims() const;
  Shape shape() const;            // of the selection
  DType dtype() const;
  const Box& selection() const noexcept { return selection_; }
  std::uint64_t bytes() const noexcept;

  // Lazy: a new handle on part of this one; indices are relative to this selection.
  Array select(const Selection& sel) const;
  Plan plan(const ReadOptions& options = {}) const;

  // Collective: reads the selection and gathers it (MPI's sense: collects on one rank) into
  // one C-order buffer on options.root; other ranks return an empty Buffer. A root that is
  // not a rank of comm() is a strata::Error on every rank.
  Buffer gather(const ReadOptions& options = {}, ReadStats* stats = nullptr) const;

  // Collective: reads the selection in the slab layout (strata/slab.hpp): each rank gets
  // its own run of planes, balanced by estimated cost; nothing is gathered.
  Slab read_slab(const ReadOptions& options = {}, ReadStats* stats = nullptr) const;
  // Collective: this rank's planes of the selection, window by window (strata/stream.hpp).
  PlaneStream planes(const StreamOptions& options) const;

  // This rank's box in `layout`, in the file's coordinates (empty when it holds nothing):
  // the shape read_into expects. Pure: no communication.
  Box part_box(const Layout& layout) const;
  // Collective: reads the selection in `layout` (strata/layout.hpp); returns this rank's
  // part: its box of the file and the elements in C order (replicated: the node's shared
  // copy, kept alive by the part). Each chunk is decoded once (once per node when
  // replicated) and only what a rank decoded but does not own moves between ranks.
  Part read(const Layout& layout, const ReadOptions& options = {}, ReadStats* stats = nullptr) const;
  // Collective: like read, but decodes straight into memory the caller owns, any strides (a
  // sub-volume of a larger array, a padded buffer). dest's dtype and shape must be this
  // rank's part's (part_box); otherwise every rank throws the same strata::Error. Ranks
  // holding nothing pass an empty view. Replicated: each rank's copy is copied out of the
  // node's shared one.
  void read_into(const View& dest, const Layout& layout, const ReadOptions& options = {},
                 ReadStats* stats = nullptr) const;
  // Collective: hands `consume`, on `root` only, each plane of the selection in C order (a
  // plane: the trailing YX(S) axes), assembled from the parts every rank read with `layout`
  // (`mine`: this rank's, e.g. Part::view() or read_into's dest). Memory: one plane on the
  // root. Elements no rank holds read as zero.
  void gather_planes(const View& mine, const Layout& layout,
                     const std::function<void(std::span<const std::byte>)>& consume, int root = 0) const;

  // Collective: writes the selection to a new file or folder at `path`, in the format its
  // suffix names (.h5, .zarr, .npy, .ome.tif), streamed: each rank holds a bounded window
  // of its own planes (options.read.max_memory), never its whole share. Atomic: the data goes to a
  // temporary name beside `path`, renamed only once every rank succeeded; an existing
  // `path` is an error unless options.overwrite.
  WriteStats write(const std::string& path, const WriteOptions& options = {}) const;
  const Driver& driver() const { return *state().driver; }
  // Collective: the driver every read of the selection uses, whose chunks() holds the chunks
  // the selection meets: rank 0 lists them (Driver::chunks_for) and sends them to every rank,
  // so a read costs what it selects, not what the file holds. Kept for the next read of this
  // handle. What the table would take is checked against options.max_memory first: refused
  // on every rank alike.
  const Driver& reader(const ReadOptions& options = {}) const;
  MPI_Comm comm() const noexcept;  // strata's own duplicate of the communicator opened on

 private:
  struct State {
    std::unique_ptr<Driver> driver;
    std::string path;                 // as opened
    std::string format;               // Format::name, for restoring the driver's state
    std::unique_ptr<mpi::Comm> comm;  // a duplicate of the caller's, owned here
    ~State();
  };
  const State& state() const;  // throws for a default-constructed Array
  std::shared_ptr<State> state_;
  Box selection_;
  // reader()'s driver and the box its table covers (a selection inside it reuses it).
  mutable std::shared_ptr<const Driver> reader_;
  mutable Box reader_box_;
  friend class PlaneStream;
};

}  // namespace strata
