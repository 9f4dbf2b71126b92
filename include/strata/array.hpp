#pragma once
// The delayed array: a handle to an opened file plus a selection. It costs nothing until
// computed; computing it is collective over the communicator it was opened on.
#include <mpi.h>

#include <memory>
#include <string>

#include "strata/buffer.hpp"
#include "strata/driver.hpp"
#include "strata/plan.hpp"
#include "strata/selection.hpp"
#include "strata/slab.hpp"

namespace strata {

namespace mpi {
class Comm;  // src/mpi/comm.hpp
}

struct ReadOptions {
  Strategy strategy = Strategy::bytes;
  CostModel cost;
  int threads = 0;  // decode threads per rank; 0 = the CPUs this rank may use
  int root = 0;     // the rank that receives a gathered array
};

struct ReadStats {
  double seconds = 0;                // wall time of the read, max over ranks
  std::uint64_t bytes = 0;           // bytes of the selected array
  std::uint64_t peak_rss_bytes = 0;  // largest peak resident set of any rank
  int ranks = 1;
  double imbalance = 0;              // the plan's estimated imbalance
};

struct WriteOptions {
  ReadOptions read;
  std::string codec;       // one of the output format's codecs; empty = its default
  bool overwrite = false;  // replace an existing output
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
  // Collective: writes the selection to a new file or folder at `path`, in the format its
  // suffix names (.h5, .zarr, .npy, .ome.tif), from slabs. Atomic: the data goes to a
  // temporary name beside `path`, renamed only once every rank succeeded; an existing
  // `path` is an error unless options.overwrite.
  WriteStats write(const std::string& path, const WriteOptions& options = {}) const;
  const Driver& driver() const { return *state().driver; }
  MPI_Comm comm() const noexcept;  // strata's own duplicate of the communicator opened on

 private:
  struct State {
    std::unique_ptr<Driver> driver;
    std::unique_ptr<mpi::Comm> comm;  // a duplicate of the caller's, owned here
    ~State();
  };
  const State& state() const;  // throws for a default-constructed Array
  std::shared_ptr<State> state_;
  Box selection_;
};

}  // namespace strata
