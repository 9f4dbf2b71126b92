#include "array/layout.hpp"

#include <algorithm>
#include <numeric>

#include "array/memory_limit.hpp"
#include "exec/execute.hpp"
#include "exec/resources.hpp"
#include "model/fault.hpp"
#include "mpi/exchange.hpp"
#include "mpi/gather.hpp"
#include "plan/slab_plan.hpp"

namespace strata {
namespace {

// Where each of `rounds` rounds starts in a rank's reads (rounds + 1 bounds): runs of reads
// of about equal decoded bytes, in plan order; a read larger than a round is a round alone.
std::vector<std::size_t> round_bounds(const RankPlan& plan, std::size_t rounds) {
  std::vector<std::size_t> bounds(rounds + 1, plan.reads.size());
  bounds[0] = 0;
  std::uint64_t done = 0;
  std::size_t k = 1;
  for (std::size_t i = 0; i < plan.reads.size() && k < rounds; ++i) {
    done += plan.reads[i].decoded_bytes;
    while (k < rounds && done * rounds >= plan.decoded_bytes * k) bounds[k++] = i + 1;
  }
  return bounds;
}

// The reads [first, last) of `plan`.
RankPlan reads_between(const RankPlan& plan, std::size_t first, std::size_t last) {
  RankPlan part;
  part.reads.assign(plan.reads.begin() + static_cast<std::ptrdiff_t>(first),
                    plan.reads.begin() + static_cast<std::ptrdiff_t>(last));
  return part;
}

}  // namespace

std::uint64_t DecodeThenExchange::fill(const DecodeReads& decode, const Plan& plan, int me, const mpi::Comm& comm) {
  mpi::agreed(comm, [&] {
    allocate(plan, me);
    decode(plan.ranks[me], [&](const ChunkRead& r) { return destination(r); });
  });
  return exchange(comm, plan);
}

Plan RootPlacement::plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int ranks,
                         const ReadOptions& options) {
  return make_plan(table, selection, element_size, ranks, options.strategy, options.cost);
}

std::uint64_t RootPlacement::fill(const DecodeReads& decode, const Plan& plan, int me, const mpi::Comm& comm) {
  const int ranks = static_cast<int>(plan.ranks.size());
  std::uint64_t largest = 0;
  for (int r = 0; r < ranks; ++r)
    if (r != root_) largest = std::max(largest, plan.ranks[r].decoded_bytes);
  const std::size_t rounds = std::max<std::uint64_t>(1, (largest + round_bytes_ - 1) / round_bytes_);
  std::vector<std::vector<std::size_t>> bounds;
  for (const RankPlan& rank : plan.ranks) bounds.push_back(round_bounds(rank, rounds));
  const RankPlan& mine = plan.ranks[me];
  const std::vector<std::size_t>& my_bounds = bounds[me];
  // A round's bytes in a send buffer: its reads back to back, from its first read's offset.
  auto round_offset = [&](std::size_t k) {
    return my_bounds[k] < mine.reads.size() ? mine.reads[my_bounds[k]].local_offset : mine.decoded_bytes;
  };

  const bool is_root = me == root_;
  View target;
  Buffer slots[2];
  mpi::agreed(comm, [&] {
    if (is_root && into_) {
      target = *into_;
    } else if (is_root) {
      whole_ = Buffer(static_cast<std::size_t>(element_count(shape_)) * size_of(dtype_));
      target = View::contiguous(whole_.data(), dtype_, shape_);
    } else {
      std::uint64_t slot_bytes = 0;
      for (std::size_t k = 0; k < rounds; ++k) slot_bytes = std::max(slot_bytes, round_offset(k + 1) - round_offset(k));
      for (Buffer& slot : slots) slot = Buffer(std::min(slot_bytes, mine.decoded_bytes));
    }
  });

  mpi::RoundGather gather(comm, plan, root_, target);
  std::vector<std::size_t> first(ranks), last(ranks);
  std::uint64_t sent = 0;
  for (std::size_t k = 0; k < rounds; ++k) {
    const int slot = static_cast<int>(k % 2);
    const std::uint64_t base = round_offset(k), bytes = round_offset(k + 1) - base;
    mpi::agreed(comm, [&] {
      if (!is_root && bytes > 0) gather.reuse(slot);
      decode(reads_between(mine, my_bounds[k], my_bounds[k + 1]), [&](const ChunkRead& r) {
        if (is_root) return target.sub(r.dest);
        return View::contiguous(slots[slot].data() + (r.local_offset - base), dtype_, r.region.shape());
      });
      // The round's exchange is prepared inside the agreement: what follows only moves bytes.
      inject_fault(FaultPhase::exchange);
      if (!is_root) return;
      for (int r = 0; r < ranks; ++r) first[r] = bounds[r][k], last[r] = bounds[r][k + 1];
      gather.prepare(first, last);
    });
    if (is_root) {
      gather.receive();
    } else if (bytes > 0) {
      gather.send(slot, std::span<const std::byte>(slots[slot].data(), bytes));
      sent += bytes;
    }
  }
  return sent;
}

std::uint64_t RootPlacement::bytes_held(const Plan& plan, int me) const {
  if (me != root_) return std::min(2 * round_bytes_, plan.ranks[me].decoded_bytes);
  return into_ ? 0 : static_cast<std::uint64_t>(element_count(shape_)) * size_of(dtype_);
}

std::uint64_t RootPlacement::bytes_not_owned(const Plan& plan) const {
  std::uint64_t n = 0;
  for (std::size_t r = 0; r < plan.ranks.size(); ++r)
    if (static_cast<int>(r) != root_) n += plan.ranks[r].decoded_bytes;
  return n;
}

SlabPlacement::SlabPlacement(DType dtype, Shape shape, int plane_axes) {
  slab_.shape = std::move(shape);
  slab_.dtype = dtype;
  slab_.plane_axes = plane_axes;
}

Plan SlabPlacement::plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int ranks,
                         const ReadOptions& options) {
  SlabPlan slabs = make_slab_plan(table, selection, element_size, slab_.plane_axes, ranks, options.cost);
  plane_bounds_ = std::move(slabs.plane_bounds);
  return std::move(slabs.plan);
}

void SlabPlacement::allocate(const Plan&, int rank) {
  slab_.plane_begin = plane_bounds_[rank];
  slab_.plane_end = plane_bounds_[rank + 1];
  slab_.data = Buffer(static_cast<std::size_t>(slab_.planes()) * slab_.plane_bytes());
}

std::uint64_t SlabPlacement::bytes_held(const Plan&, int me) const {
  return static_cast<std::uint64_t>(plane_bounds_[me + 1] - plane_bounds_[me]) * slab_.plane_bytes();
}

View SlabPlacement::destination(const ChunkRead& read) { return slab_.view(read.dest); }

Plan OwnerPlacement::plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int ranks,
                          const ReadOptions& options) {
  owner_ = make_owner_plan(table, selection, element_size, layout_.boxes_for(selection.shape(), ranks),
                           options.cost);
  return owner_.plan;
}

void OwnerPlacement::allocate(const Plan&, int rank) {
  rank_ = rank;
  const Shape shape = owner_.owned[rank].shape();
  if (into_) {
    target_ = *into_;
  } else {
    own_ = Buffer(static_cast<std::size_t>(element_count(shape)) * size_of(dtype_));
    target_ = View::contiguous(own_.data(), dtype_, shape);
  }
  staging_ = Buffer(owner_.staging_bytes[rank]);
}

std::uint64_t OwnerPlacement::bytes_held(const Plan&, int me) const {
  const std::uint64_t own = into_ ? 0 : static_cast<std::uint64_t>(owner_.owned[me].count()) * size_of(dtype_);
  return own + owner_.staging_bytes[me];
}

View OwnerPlacement::destination(const ChunkRead& read) {
  const Box& mine = owner_.owned[rank_];
  if (mine.contains(read.dest)) return target_.sub(read.dest.relative_to(mine.start));
  return View::contiguous(staging_.data() + read.local_offset, dtype_, read.dest.shape());
}

std::uint64_t OwnerPlacement::exchange(const mpi::Comm& comm, const Plan&) {
  const Box& mine = owner_.owned[rank_];
  std::vector<mpi::Transfer> sends, receives;
  for (const Piece& p : owner_.pieces) {
    if (p.from == rank_) {
      const ChunkRead& read = owner_.plan.ranks[p.from].reads[p.read];
      // The piece is where the read was decoded: in this rank's box, or in staging.
      const View source = mine.contains(read.dest) ? target_.sub(p.box.relative_to(mine.start))
                                                   : destination(read).sub(p.box.relative_to(read.dest.start));
      sends.push_back({p.to, source});
    }
    if (p.to == rank_) receives.push_back({p.from, target_.sub(p.box.relative_to(mine.start))});
  }
  const std::uint64_t sent = mpi::exchange(comm, sends, receives);
  staging_ = Buffer();
  return sent;
}

ReplicatedPlacement::ReplicatedPlacement(const mpi::Comm& comm, DType dtype, Box selection)
    : dtype_(dtype), selection_(std::move(selection)) {
  // A node that cannot hold the array fails every rank, not only its own.
  mpi::agreed(comm, [&] {
    window_ = std::make_shared<mpi::SharedWindow>(comm, static_cast<std::uint64_t>(selection_.count()) *
                                                            size_of(dtype_));
  });
}

Plan ReplicatedPlacement::plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int,
                               const ReadOptions& options) {
  return make_plan(table, selection, element_size, window_->node().size(), options.strategy, options.cost);
}

View ReplicatedPlacement::destination(const ChunkRead& read) {
  return View::contiguous(window_->data(), dtype_, selection_.shape()).sub(read.dest);
}

std::uint64_t ReplicatedPlacement::exchange(const mpi::Comm&, const Plan&) {
  window_->sync();
  return 0;
}

Part ReplicatedPlacement::take() { return Part(selection_, dtype_, window_->data(), window_); }

ReadStats run_placement(Placement& placement, const Driver& driver, const Box& selection, const mpi::Comm& comm,
                        const ReadOptions& options) {
  const std::size_t element = size_of(driver.info().dtype);
  // Pure and computed alike on every rank, but a rank may still fail alone (its memory).
  Plan plan;
  mpi::agreed(comm, [&] {
    inject_fault(FaultPhase::plan);
    plan = placement.plan(driver.chunks(), selection, element, comm.size(), options);
  });
  const int me = placement.planned_rank(comm);
  const int threads = options.threads > 0 ? options.threads : exec::threads_per_rank(comm.ranks_on_node());

  check_memory(comm,
               clamped(static_cast<long double>(placement.bytes_held(plan, me)) +
                       static_cast<long double>(scratch_bytes(driver.chunks(), plan.ranks[me], element, threads))),
               options, "its part of the read");
  comm.barrier();
  const double start = mpi::Comm::now();
  const std::uint64_t sent = placement.fill(
      [&](const RankPlan& reads, const std::function<View(const ChunkRead&)>& destination) {
        exec::execute(driver, reads, destination, threads);
      },
      plan, me, comm);

  ReadStats stats;
  stats.seconds = comm.max(mpi::Comm::now() - start);
  stats.bytes = static_cast<std::uint64_t>(selection.count()) * element;
  stats.bytes_not_owned = placement.bytes_not_owned(plan);
  stats.rank_bytes_sent = comm.all_gather(sent);
  stats.bytes_moved = std::accumulate(stats.rank_bytes_sent.begin(), stats.rank_bytes_sent.end(), std::uint64_t{0});
  stats.rank_peak_rss_bytes = comm.all_gather(exec::peak_rss_bytes());
  stats.peak_rss_bytes = *std::max_element(stats.rank_peak_rss_bytes.begin(), stats.rank_peak_rss_bytes.end());
  stats.ranks = comm.size();
  stats.imbalance = plan.imbalance();
  return stats;
}

}  // namespace strata
