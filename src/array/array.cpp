#include "strata/array.hpp"


#include "exec/execute.hpp"
#include "exec/resources.hpp"
#include "mpi/comm.hpp"
#include "mpi/gather.hpp"
#include "array/commit.hpp"
#include "formats/format_writer.hpp"
#include "strata/error.hpp"

namespace strata {
namespace {

// Errors below this layer may not know the path the user gave; name it here.
[[noreturn]] void rethrow_naming(const std::string& path) {
  try {
    throw;
  } catch (const Error& e) {
    if (!e.path().empty()) throw;
    throw Error(path, e.cause());
  } catch (const std::bad_alloc&) {
    throw Error(path, "out of memory");
  } catch (const std::exception& e) {
    throw Error(path, e.what());
  }
}

int decode_threads(const ReadOptions& options, const mpi::Comm& comm) {
  if (options.threads > 0) return options.threads;
  return exec::threads_per_rank(comm.ranks_on_node());
}

// Collective: runs this rank's decoding step and agrees on it; a failure names the file.
template <class Step>
void agreed_naming_file(const mpi::Comm& comm, const Driver& driver, Step&& step) {
  const auto& files = driver.chunks().files;
  mpi::agreed(comm, [&] {
    try {
      step();
    } catch (...) {
      rethrow_naming(files.empty() ? std::string() : files[0]);
    }
  });
}

// Collective: the statistics every rank reports alike.
ReadStats read_stats(const mpi::Comm& comm, double seconds, std::uint64_t bytes, double imbalance) {
  ReadStats stats;
  stats.seconds = comm.max(seconds);
  stats.bytes = bytes;
  stats.peak_rss_bytes = comm.max(exec::peak_rss_bytes());
  stats.ranks = comm.size();
  stats.imbalance = imbalance;
  return stats;
}

}  // namespace

Array::State::~State() {
  if (comm != MPI_COMM_NULL) MPI_Comm_free(&comm);
}

Array Array::open(const std::string& path, MPI_Comm user_comm, const OpenOptions& options) {
  Array a;
  a.state_ = std::make_shared<State>();
  mpi::check(MPI_Comm_dup(user_comm, &a.state_->comm), "MPI_Comm_dup");
  const mpi::Comm comm(a.state_->comm);

  // Rank 0 walks the file; the others restore its driver state.
  std::string saved;
  mpi::agreed(comm, [&] {
    if (comm.rank() != 0) return;
    try {
      const Format& format = detect_format(path);
      auto driver = format.open(path, options);
      saved = std::string(format.name) + '\0' + driver->save();
      a.state_->driver = std::move(driver);
    } catch (...) {
      rethrow_naming(path);
    }
  });
  saved = comm.broadcast(std::move(saved), 0);
  mpi::agreed(comm, [&] {
    if (comm.rank() == 0) return;
    try {
      auto nul = saved.find('\0');
      const Format& format = format_named(std::string_view(saved).substr(0, nul));
      a.state_->driver = format.restore(std::string_view(saved).substr(nul + 1));
    } catch (...) {
      rethrow_naming(path);
    }
  });
  a.selection_ = Box::whole(a.info().shape);
  return a;
}

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
  const mpi::Comm comm(state_->comm);
  return make_plan(driver().chunks(), selection_, size_of(dtype()), comm.size(), options.strategy, options.cost);
}

Buffer Array::gather(const ReadOptions& options, ReadStats* stats) const {
  const mpi::Comm comm(state_->comm);
  const Plan plan = this->plan(options);
  const int threads = decode_threads(options, comm);
  const bool is_root = comm.rank() == options.root;
  const RankPlan& mine = plan.ranks[comm.rank()];

  comm.barrier();
  const double start = MPI_Wtime();
  Buffer out, local;
  agreed_naming_file(comm, driver(), [&] {
    if (is_root) {
      out = Buffer(bytes());
      const View whole = View::contiguous(out.data(), dtype(), shape());
      exec::execute(driver(), mine, [&](const ChunkRead& r) { return whole.sub(r.dest); }, threads);
    } else {
      local = Buffer(mine.decoded_bytes);
      exec::execute(driver(), mine,
                    [&](const ChunkRead& r) {
                      return View::contiguous(local.data() + r.local_offset, dtype(), r.region.shape());
                    },
                    threads);
    }
  });
  mpi::gather_plan(comm, plan, local.bytes(), out.data(), options.root);
  if (stats) *stats = read_stats(comm, MPI_Wtime() - start, bytes(), plan.imbalance());
  return out;
}

Slab Array::read_slab(const ReadOptions& options, ReadStats* stats) const {
  const mpi::Comm comm(state_->comm);
  Slab slab;
  slab.shape = shape();
  slab.dtype = dtype();
  slab.plane_axes = plane_axes(dims(), slab.shape.size());
  const SlabPlan plan = make_slab_plan(driver().chunks(), selection_, size_of(dtype()), slab.plane_axes,
                                       comm.size(), options.cost);
  slab.plane_begin = plan.plane_bounds[comm.rank()];
  slab.plane_end = plan.plane_bounds[comm.rank() + 1];
  const int threads = decode_threads(options, comm);

  comm.barrier();
  const double start = MPI_Wtime();
  agreed_naming_file(comm, driver(), [&] {
    slab.data = Buffer(static_cast<std::size_t>(slab.planes()) * slab.plane_bytes());
    exec::execute(driver(), plan.plan.ranks[comm.rank()], [&](const ChunkRead& r) { return slab.view(r.dest); },
                  threads);
  });
  if (stats) *stats = read_stats(comm, MPI_Wtime() - start, bytes(), plan.plan.imbalance());
  return slab;
}

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

WriteStats Array::write(const std::string& path, const WriteOptions& options) const {
  const mpi::Comm comm(state_->comm);
  // Every rank decides the same: a bad name or codec fails everywhere, before any reading.
  const FormatWriter& format = *format_for_output(path).writer;
  WriteStats stats;
  stats.format = format.name;
  stats.codec = codec_for(format, options.codec, path);
  auto pending = PendingOutput::prepare(comm, path, options.overwrite);
  try {
    Slab slab = read_slab(options.read, &stats.read);
    const double start = MPI_Wtime();
    try {
      format.write(comm, pending.temporary(), output_info(info(), selection_, format.name), slab,
                   stats.codec);
    } catch (const Error& e) {
      if (!e.path().empty()) throw;
      throw Error(path, e.cause());
    }
    stats.output_bytes = pending.commit(comm);
    stats.write_seconds = comm.max(MPI_Wtime() - start);
    stats.read.peak_rss_bytes = comm.max(exec::peak_rss_bytes());
  } catch (...) {
    pending.abandon(comm);
    throw;
  }
  return stats;
}

}  // namespace strata
