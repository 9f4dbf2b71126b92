#include "strata/array.hpp"

#include "array/layout.hpp"
#include "mpi/comm.hpp"
#include "strata/error.hpp"

namespace strata {
Array::State::~State() = default;

Array Array::open(const std::string& path, MPI_Comm user_comm, const OpenOptions& options) {
  Array a;
  a.state_ = std::make_shared<State>();
  a.state_->comm = std::make_unique<mpi::Comm>(mpi::Comm::duplicate(user_comm));
  const mpi::Comm& comm = *a.state_->comm;
  const ErrorContext opening{path, {}, {}, {}};

  // Rank 0 walks the file; the others restore its driver state.
  std::string saved;
  mpi::agreed(comm, [&] {
    if (comm.rank() != 0) return;
    annotated(opening, [&] {
      const Format& format = detect_format(path);
      auto driver = annotated({path, std::string(format.name), {}, {}}, [&] { return format.open(path, options); });
      saved = std::string(format.name) + '\0' + driver->save();
      a.state_->driver = std::move(driver);
    });
  });
  saved = comm.broadcast(std::move(saved), 0);
  mpi::agreed(comm, [&] {
    if (comm.rank() == 0) return;
    annotated(opening, [&] {
      auto nul = saved.find('\0');
      const Format& format = format_named(std::string_view(saved).substr(0, nul));
      a.state_->driver = format.restore(std::string_view(saved).substr(nul + 1));
    });
  });
  a.selection_ = Box::whole(a.info().shape);
  return a;
}

MPI_Comm Array::comm() const noexcept { return state_->comm->get(); }
const ArrayInfo& Array::info() const { return state_->driver->info(); }
const std::string& Array::dims() const { return info().dims; }
Shape Array::shape() const { return selection_.shape(); }
DType Array::dtype() const { return info().dtype; }
std::uint64_t Array::bytes() const noexcept { return selection_.count() * size_of(info().dtype); }

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
  return make_plan(driver().chunks(), selection_, size_of(dtype()), state_->comm->size(), options.strategy,
                   options.cost);
}

Buffer Array::gather(const ReadOptions& options, ReadStats* stats) const {
  // The same on every rank, before anything is allocated.
  if (options.max_memory && bytes() > options.max_memory)
    throw Error("", "gathering the selection needs " + std::to_string(bytes()) + " bytes on rank " +
                        std::to_string(options.root) + ", more than max_memory (" +
                        std::to_string(options.max_memory) + " bytes): select less, or convert it (Array::write)");
  RootLayout layout(dtype(), shape(), options.root);
  const ReadStats s = run_layout(layout, driver(), selection_, *state_->comm, options);
  if (stats) *stats = s;
  return layout.take();
}

Slab Array::read_slab(const ReadOptions& options, ReadStats* stats) const {
  SlabLayout layout(dtype(), shape(), plane_axes(dims(), shape().size()));
  const ReadStats s = run_layout(layout, driver(), selection_, *state_->comm, options);
  if (stats) *stats = s;
  return layout.take();
}

}  // namespace strata
