#include "strata/array.hpp"

#include <thread>

#include "exec/execute.hpp"
#include "exec/resources.hpp"
#include "mpi/comm.hpp"
#include "mpi/gather.hpp"
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
  // Bound ranks get their mask; unbound ranks share the node's CPUs.
  const int cpus = exec::cpus_available();
  const int hardware = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int local_ranks = comm.ranks_on_node();
  return cpus < hardware ? cpus : std::max(1, hardware / local_ranks);
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
  const std::string& path = driver().chunks().files.empty() ? std::string() : driver().chunks().files[0];

  comm.barrier();
  const double start = MPI_Wtime();
  Buffer out, local;
  mpi::agreed(comm, [&] {
    try {
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
    } catch (...) {
      rethrow_naming(path);
    }
  });
  mpi::gather_plan(comm, plan, local.bytes(), out.data(), options.root);
  const double seconds = MPI_Wtime() - start;

  if (stats) {
    stats->seconds = comm.max(seconds);
    stats->bytes = bytes();
    stats->peak_rss_bytes = comm.max(exec::peak_rss_bytes());
    stats->ranks = comm.size();
    stats->imbalance = plan.imbalance();
  }
  return out;
}

}  // namespace strata
