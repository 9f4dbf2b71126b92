#include "strata/array.hpp"

#include "array/commit.hpp"
#include "array/layout.hpp"
#include "exec/resources.hpp"
#include "formats/format_writer.hpp"
#include "mpi/comm.hpp"
#include "strata/error.hpp"

namespace strata {
namespace {

// What the output holds: the file's metadata for the selected part.
ArrayInfo output_info(const ArrayInfo& file, const Box& selection, std::string_view format) {
  ArrayInfo info = file;
  info.format = std::string(format);
  info.shape = selection.shape();
  const auto c = file.dims.find('C');
  if (c != std::string::npos && file.channel_names.size() == static_cast<std::size_t>(file.shape[c]))
    info.channel_names.assign(file.channel_names.begin() + selection.start[c],
                              file.channel_names.begin() + selection.stop[c]);
  return info;
}

std::string codec_for(const FormatWriter& format, const std::string& asked, const std::string& path) {
  if (asked.empty()) return std::string(format.default_codec);
  for (auto codec : format.codecs)
    if (codec == asked) return asked;
  std::string known;
  for (auto codec : format.codecs) known += (known.empty() ? "" : ", ") + std::string(codec);
  throw Error(path, "the " + std::string(format.name) + " output cannot compress with '" + asked + "' (choose " +
                        known + ")");
}

}  // namespace

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
  return make_plan(driver().chunks(), selection_, size_of(dtype()), state().comm->size(), options.strategy,
                   options.cost);
}

Buffer Array::gather(const ReadOptions& options, ReadStats* stats) const {
  const mpi::Comm& comm = *state().comm;
  // Every rank has the same options and size: the same verdict, before any collective.
  if (options.root < 0 || options.root >= comm.size())
    throw Error("", "ReadOptions::root " + std::to_string(options.root) +
                        " is not a rank of the array's communicator (0 to " + std::to_string(comm.size() - 1) + ")");
  RootLayout layout(dtype(), shape(), options.root);
  const ReadStats s = run_layout(layout, driver(), selection_, comm, options);
  if (stats) *stats = s;
  return layout.take();
}

Slab Array::read_slab(const ReadOptions& options, ReadStats* stats) const {
  SlabLayout layout(dtype(), shape(), plane_axes(dims(), shape().size()));
  const ReadStats s = run_layout(layout, driver(), selection_, *state().comm, options);
  if (stats) *stats = s;
  return layout.take();
}

WriteStats Array::write(const std::string& path, const WriteOptions& options) const {
  const mpi::Comm& comm = *state().comm;
  // Every rank decides the same: a bad name or codec fails everywhere, before any reading.
  const FormatWriter& format = *format_for_output(path).writer;
  WriteStats stats;
  stats.format = format.name;
  stats.codec = codec_for(format, options.codec, path);
  auto pending = PendingOutput::prepare(comm, path, options.overwrite);
  try {
    Slab slab = read_slab(options.read, &stats.read);
    const double start = mpi::Comm::now();
    annotated({path, std::string(format.name), "writing", {}}, [&] {
      format.write(comm, pending.temporary(), output_info(info(), selection_, format.name), slab, stats.codec);
    });
    stats.output_bytes = pending.commit(comm);
    stats.write_seconds = comm.max(mpi::Comm::now() - start);
    stats.read.peak_rss_bytes = comm.max(exec::peak_rss_bytes());
  } catch (...) {
    pending.abandon(comm);
    throw;
  }
  return stats;
}

}  // namespace strata
