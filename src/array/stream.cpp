#include "strata/stream.hpp"

#include <algorithm>
#include <exception>
#include <future>
#include <utility>

#include "array/memory_limit.hpp"
#include "exec/execute.hpp"
#include "exec/resources.hpp"
#include "model/fault.hpp"
#include "mpi/comm.hpp"
#include "plan/plane_chunks.hpp"
#include "strata/error.hpp"

namespace strata {
namespace {

constexpr std::uint64_t kDefaultWindowBytes = std::uint64_t{64} << 20;

// One window being or having been decoded, into memory sized for the largest window.
struct Slot {
  Buffer memory;
  std::int64_t begin = 0, end = 0;
  std::exception_ptr failure;
};

}  // namespace

struct PlaneStream::State {
  Array array;  // keeps the driver and the communicator alive
  const Driver* reader = nullptr;  // array.reader(): the table `chunks` indexes
  const mpi::Comm* comm = nullptr;
  PlaneChunks chunks;
  int plane_axes = 2;
  int threads = 1;
  bool prefetch = true;
  std::function<void(const Progress&)> progress;
  std::vector<std::int64_t> plane_bounds;  // of every rank
  std::vector<std::int64_t> windows;       // this rank's window boundaries
  std::int64_t window_count = 0;           // the most any rank has: every rank steps this often
  std::int64_t max_window_planes = 0;
  std::int64_t step = 0;                   // windows handed out so far
  Slot current, ahead;
  std::future<void> pending;  // decoding `ahead`
  View view;
  double wait_seconds = 0;
  std::uint64_t decoded_bytes = 0;

  State(const Array& a, const mpi::Comm& c, PlaneChunks plane_chunks)
      : array(a), comm(&c), chunks(std::move(plane_chunks)) {}

  std::int64_t own_windows() const { return static_cast<std::int64_t>(windows.size()) - 1; }

  // Decodes this rank's window `index` into `slot` (on the decode threads); failures are kept.
  void decode(Slot& slot, std::int64_t index) {
    slot.failure = nullptr;
    slot.begin = slot.end = plane_bounds[comm->rank() + 1];
    if (index >= own_windows()) return;
    slot.begin = windows[index];
    slot.end = windows[index + 1];
    try {
      const RankPlan reads = chunks.reads(slot.begin, slot.end);
      const Shape shape = array.shape();
      const DType dtype = array.dtype();
      std::byte* base = slot.memory.data();
      // The window is a contiguous run of the C-order selection: a read lands at its offset
      // with the selection's strides.
      exec::execute(*reader, reads,
                    [&](const ChunkRead& r) {
                      View v = View::contiguous(base + r.local_offset, dtype, shape);
                      v.shape = r.dest.shape();
                      return v;
                    },
                    threads);
    } catch (...) {
      slot.failure = std::current_exception();
    }
  }

  Shape window_shape(const Slot& slot) const {
    Shape shape = array.shape();
    const std::size_t lead = shape.size() - static_cast<std::size_t>(plane_axes);
    Shape plane(shape.begin() + static_cast<std::ptrdiff_t>(lead), shape.end());
    plane.insert(plane.begin(), slot.end - slot.begin);
    return plane;
  }
};

PlaneStream::PlaneStream(std::unique_ptr<State> state) : state_(std::move(state)) {}
PlaneStream::PlaneStream(PlaneStream&&) noexcept = default;
PlaneStream& PlaneStream::operator=(PlaneStream&&) noexcept = default;
PlaneStream::~PlaneStream() {
  if (state_ && state_->pending.valid()) state_->pending.wait();
}

PlaneStream Array::planes(const StreamOptions& options) const {
  const mpi::Comm& comm = *state().comm;
  const int axes = plane_axes(dims(), shape().size());
  const int threads =
      options.read.threads > 0 ? options.read.threads : exec::threads_per_rank(comm.ranks_on_node());
  // Pure and the same on every rank, but a rank may still fail alone (its memory): agreed.
  const Driver& selected = reader(options.read);
  std::unique_ptr<PlaneStream::State> s;
  mpi::agreed(comm, [&] {
    inject_fault(FaultPhase::plan);
    PlaneChunks chunks(selected.chunks(), selection_, size_of(dtype()), axes, options.read.cost);
    s = std::make_unique<PlaneStream::State>(*this, comm, std::move(chunks));
    s->reader = &selected;
    s->plane_axes = axes;
    s->prefetch = options.prefetch;
    s->progress = options.read.progress;
    s->threads = threads;
    s->plane_bounds = s->chunks.rank_bounds(comm.size(), options.plane_group);
    const std::uint64_t window_bytes = options.window_bytes ? options.window_bytes : kDefaultWindowBytes;
    const auto plane_bytes = std::max<std::uint64_t>(s->chunks.plane_bytes(), 1);
    const auto max_planes = static_cast<std::int64_t>(std::max<std::uint64_t>(window_bytes / plane_bytes, 1));
    const int rank = comm.rank();
    s->windows = s->chunks.windows(s->plane_bounds[rank], s->plane_bounds[rank + 1], max_planes, options.plane_group);
  });
  std::int64_t largest = 0;
  for (std::size_t i = 1; i < s->windows.size(); ++i) largest = std::max(largest, s->windows[i] - s->windows[i - 1]);
  s->max_window_planes = static_cast<std::int64_t>(comm.max(static_cast<std::uint64_t>(largest)));
  s->window_count = static_cast<std::int64_t>(comm.max(static_cast<std::uint64_t>(s->own_windows())));
  // The windows (one decoded ahead) and the decode scratch, checked before any is allocated.
  const int buffers = s->prefetch && s->own_windows() > 1 ? 2 : 1;
  check_memory(comm,
               clamped(static_cast<long double>(buffers) * static_cast<long double>(largest) *
                           static_cast<long double>(s->chunks.plane_bytes()) +
                       static_cast<long double>(scratch_bytes(selected.chunks(), selection_, size_of(dtype()), threads))),
               options.read,
               "streaming " + std::to_string(s->max_window_planes) +
                   (s->max_window_planes == 1 ? " plane" : " planes") + " at a time");
  mpi::agreed(comm, [&] {
    const std::size_t bytes = static_cast<std::size_t>(largest) * s->chunks.plane_bytes();
    s->current.memory = Buffer(bytes);
    if (s->prefetch && s->own_windows() > 1) s->ahead.memory = Buffer(bytes);
  });
  return PlaneStream(std::move(s));
}

bool PlaneStream::next() {
  State& s = *state_;
  if (s.step >= s.window_count) return false;
  const double start = mpi::Comm::now();
  if (s.pending.valid()) {
    s.pending.get();
    std::swap(s.current, s.ahead);
  } else {
    s.decode(s.current, s.step);
  }
  s.wait_seconds += mpi::Comm::now() - start;
  const std::exception_ptr failure = s.current.failure;
  s.comm->agree(failure);
  ++s.step;
  if (s.prefetch && s.step < s.own_windows())
    s.pending = std::async(std::launch::async, [&s, index = s.step] { s.decode(s.ahead, index); });
  s.decoded_bytes += static_cast<std::uint64_t>(s.current.end - s.current.begin) * s.chunks.plane_bytes();
  s.view = View::contiguous(s.current.memory.data(), s.array.dtype(), s.window_shape(s.current));
  if (s.progress) {
    const std::uint64_t total = s.array.bytes();
    s.progress(Progress{s.comm->sum(s.decoded_bytes), total});
  }
  return true;
}

const View& PlaneStream::window() const noexcept { return state_->view; }
std::int64_t PlaneStream::plane_begin() const noexcept { return state_->current.begin; }
std::int64_t PlaneStream::plane_end() const noexcept { return state_->current.end; }
const std::vector<std::int64_t>& PlaneStream::plane_bounds() const noexcept { return state_->plane_bounds; }
int PlaneStream::plane_axes() const noexcept { return state_->plane_axes; }
std::int64_t PlaneStream::window_count() const noexcept { return state_->window_count; }
std::int64_t PlaneStream::max_window_planes() const noexcept { return state_->max_window_planes; }
double PlaneStream::wait_seconds() const noexcept { return state_->wait_seconds; }

}  // namespace strata
