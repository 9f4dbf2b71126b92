#include "strata/array.hpp"

#include <algorithm>
#include <limits>

#include "array/layout.hpp"
#include "array/memory_limit.hpp"
#include "formats/format.hpp"
#include "model/fault.hpp"
#include "mpi/comm.hpp"
#include "mpi/gather.hpp"
#include "strata/error.hpp"

namespace strata {
namespace {

// `box` (selection coordinates) in the file's coordinates.
Box in_file(Box box, const Box& selection) {
  for (std::size_t i = 0; i < box.rank(); ++i) {
    box.start[i] += selection.start[i];
    box.stop[i] += selection.start[i];
  }
  return box;
}

// A rank's memory for its part must have the part's dtype and shape; a rank holding nothing
// may pass any empty view (View{} included).
void check_destination(const View& dest, DType dtype, const Shape& shape) {
  if (element_count(shape) == 0 && (dest.data == nullptr || dest.count() == 0)) return;
  if (dest.dtype == dtype && dest.shape == shape && dest.byte_strides.size() == shape.size()) return;
  throw Error("", "this rank's part is " + std::string(name(dtype)) + " " + Box::whole(shape).to_string() +
                      " but its destination is " + std::string(name(dest.dtype)) + " " +
                      Box::whole(dest.shape).to_string());
}

}  // namespace

Array::State::~State() = default;

Array Array::open(const std::string& path, MPI_Comm user_comm, const OpenOptions& options) {
  Array a;
  a.state_ = std::make_shared<State>();
  a.state_->comm = std::make_unique<mpi::Comm>(mpi::Comm::duplicate(user_comm));
  a.state_->path = path;
  const mpi::Comm& comm = *a.state_->comm;
  const ErrorContext opening{path, {}, {}, {}};

  // Rank 0 walks the file; the others restore its driver state.
  std::string saved;
  mpi::agreed(comm, [&] {
    annotated(opening, [] { inject_fault(FaultPhase::open); });
    if (comm.rank() != 0) return;
    annotated(opening, [&] {
      const Format& format = detect_format(path);
      auto driver = annotated({path, std::string(format.name), {}, {}}, [&] { return format.open(path, options); });
      saved = std::string(format.name) + '\0' + driver->save();
      a.state_->driver = std::move(driver);
      a.state_->format = format.name;
    });
  });
  saved = comm.broadcast(std::move(saved), 0);
  mpi::agreed(comm, [&] {
    if (comm.rank() == 0) return;
    annotated(opening, [&] {
      auto nul = saved.find('\0');
      const Format& format = format_named(std::string_view(saved).substr(0, nul));
      a.state_->driver = format.restore(std::string_view(saved).substr(nul + 1));
      a.state_->format = format.name;
    });
  });
  a.selection_ = Box::whole(a.info().shape);
  return a;
}

const Array::State& Array::state() const {
  if (!state_) throw Error("", "this strata::Array holds no file (make one with Array::open)");
  return *state_;
}

MPI_Comm Array::comm() const noexcept { return state_ ? state_->comm->get() : MPI_COMM_NULL; }
const ArrayInfo& Array::info() const { return state().driver->info(); }
const std::string& Array::dims() const { return info().dims; }
Shape Array::shape() const { return selection_.shape(); }
DType Array::dtype() const { return info().dtype; }
std::uint64_t Array::bytes() const noexcept { return state_ ? selection_.count() * size_of(info().dtype) : 0; }

Array Array::select(const Selection& sel) const {
  Array out = *this;
  Box within = resolve(sel, dims(), shape());
  for (std::size_t i = 0; i < within.rank(); ++i) {
    out.selection_.start[i] = selection_.start[i] + within.start[i];
    out.selection_.stop[i] = selection_.start[i] + within.stop[i];
  }
  return out;
}

Plan Array::plan(const ReadOptions& options) const {
  return make_plan(driver().chunks_for(selection_), selection_, size_of(dtype()), state().comm->size(),
                   options.strategy, options.cost);
}

// What one chunk of a read's table costs at its peak: rank 0 lists it and serializes it,
// every rank receives, parses and holds it (the ChunkRef and its key, the bytes and the
// parsed document at once). Measured: 1.3-1.4 KiB of peak RSS a chunk in a whole read of a
// 10^6-chunk Zarr store at 1 rank (docs/benchmarks.md).
constexpr std::uint64_t kTableBytesPerChunk = 1536;

const Driver& Array::reader(const ReadOptions& options) const {
  if (reader_ && reader_box_.contains(selection_)) return *reader_;
  const State& s = state();
  const mpi::Comm& comm = *s.comm;
  const ErrorContext file{s.path, s.format, {}, {}};
  std::uint64_t chunks = 0;
  const std::uint64_t max_chunks = options.max_chunks ? options.max_chunks : ReadOptions::kDefaultMaxChunks;
  mpi::agreed(comm, [&] {
    annotated(file, [&] {
      chunks = driver().chunk_count(selection_);
      if (chunks > max_chunks)
        throw Error("", "the selection meets " + std::to_string(chunks) + " chunks, more than a read lists (" +
                            std::to_string(max_chunks) +
                            ": max_chunks (--max-chunks)): select less, or raise the limit");
    });
  });
  const std::uint64_t most = std::numeric_limits<std::uint64_t>::max() / kTableBytesPerChunk;
  annotated(file, [&] {
    check_memory(comm, std::min(chunks, most) * kTableBytesPerChunk, options,
                 "the table of the " + std::to_string(chunks) + " chunks the selection meets");
  });
  // Rank 0 lists the chunks; every rank (rank 0 too) holds a driver restored from them.
  std::string saved;
  mpi::agreed(comm, [&] {
    if (comm.rank() == 0) annotated(file, [&] { saved = driver().save_for(selection_); });
  });
  saved = comm.broadcast(std::move(saved), 0);
  std::shared_ptr<const Driver> restored;
  mpi::agreed(comm, [&] { restored = annotated(file, [&] { return format_named(s.format).restore(saved); }); });
  reader_ = std::move(restored);
  reader_box_ = selection_;
  return *reader_;
}

Buffer Array::gather(const ReadOptions& options, ReadStats* stats) const {
  const mpi::Comm& comm = *state().comm;
  // Every rank has the same options and size: the same verdict, before any collective.
  if (options.root < 0 || options.root >= comm.size())
    throw Error("", "ReadOptions::root " + std::to_string(options.root) +
                        " is not a rank of the array's communicator (0 to " + std::to_string(comm.size() - 1) + ")");
  return read(Layout::root(options.root), options, stats).take();
}

Slab Array::read_slab(const ReadOptions& options, ReadStats* stats) const {
  SlabPlacement placement(dtype(), shape(), plane_axes(dims(), shape().size()));
  const ReadStats s = run_placement(placement, reader(options), selection_, *state().comm, options);
  if (stats) *stats = s;
  return placement.take();
}

Box Array::part_box(const Layout& layout) const {
  const mpi::Comm& comm = *state().comm;
  return in_file(layout.boxes_for(shape(), comm.size())[static_cast<std::size_t>(comm.rank())], selection_);
}

Part Array::read(const Layout& layout, const ReadOptions& options, ReadStats* stats) const {
  const mpi::Comm& comm = *state().comm;
  const Box box = part_box(layout);  // also checks that the layout fits, the same on every rank
  if (layout.kind == Layout::Kind::replicated)  // the node's copy is allocated before the plan
    check_memory(comm, bytes() / static_cast<std::uint64_t>(std::max(1, comm.ranks_on_node())), options,
                 "its share of the node's copy");
  ReadStats s;
  Part part;
  switch (layout.kind) {
    case Layout::Kind::root: {
      RootPlacement placement(dtype(), shape(), layout.root_rank);
      s = run_placement(placement, reader(options), selection_, comm, options);
      part = Part(box, dtype(), placement.take());
      break;
    }
    case Layout::Kind::replicated: {
      ReplicatedPlacement placement(comm, dtype(), selection_);
      s = run_placement(placement, reader(options), selection_, comm, options);
      part = placement.take();
      break;
    }
    case Layout::Kind::slab:
    case Layout::Kind::blocks:
    case Layout::Kind::boxes: {
      OwnerPlacement placement(dtype(), layout);
      s = run_placement(placement, reader(options), selection_, comm, options);
      part = Part(box, dtype(), placement.take());
      break;
    }
  }
  if (stats) *stats = std::move(s);
  return part;
}

void Array::read_into(const View& dest, const Layout& layout, const ReadOptions& options, ReadStats* stats) const {
  const mpi::Comm& comm = *state().comm;
  const Box box = part_box(layout);
  mpi::agreed(comm, [&] { check_destination(dest, dtype(), box.shape()); });
  ReadStats s;
  switch (layout.kind) {
    case Layout::Kind::root: {
      RootPlacement placement(dtype(), shape(), layout.root_rank, dest);
      s = run_placement(placement, reader(options), selection_, comm, options);
      break;
    }
    case Layout::Kind::replicated: {
      // The caller asked for its own copy on every rank: one copy out of the node's.
      const Part shared = read(layout, options, &s);
      copy(shared.view(), dest);
      break;
    }
    case Layout::Kind::slab:
    case Layout::Kind::blocks:
    case Layout::Kind::boxes: {
      OwnerPlacement placement(dtype(), layout, dest);
      s = run_placement(placement, reader(options), selection_, comm, options);
      break;
    }
  }
  if (stats) *stats = std::move(s);
}

void Array::gather_planes(const View& mine, const Layout& layout,
                          const std::function<void(std::span<const std::byte>)>& consume, int root) const {
  const mpi::Comm& comm = *state().comm;
  const std::vector<Box> boxes = layout.boxes_for(shape(), comm.size());
  if (root < 0 || root >= comm.size())
    throw Error("", "the root rank " + std::to_string(root) + " is not one of the " + std::to_string(comm.size()) +
                        " ranks");
  mpi::agreed(comm, [&] { check_destination(mine, dtype(), boxes[static_cast<std::size_t>(comm.rank())].shape()); });
  mpi::gather_planes(comm, mine, boxes, shape(), plane_axes(dims(), shape().size()), root, consume);
}

}  // namespace strata
