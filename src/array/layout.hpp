#pragma once
// The layout seam: where a computed array lands across the ranks. A placement plans which
// rank decodes which chunk (a pure function), owns or borrows the memory reads decode into,
// and moves what a rank decoded but does not keep to where it belongs. run_placement runs
// every placement the same way; Array only picks one. The public strata::Layout value
// (strata/layout.hpp) chooses the placement: root → RootPlacement, slab/blocks/boxes →
// OwnerPlacement, replicated → ReplicatedPlacement; Array::read_slab's runs of planes are
// SlabPlacement.
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

#include "mpi/comm.hpp"
#include "mpi/shared_window.hpp"
#include "plan/owner_plan.hpp"
#include "strata/array.hpp"
#include "strata/layout.hpp"
#include "strata/part.hpp"
#include "strata/plan.hpp"
#include "strata/slab.hpp"

namespace strata {

// Decodes `reads` (on the rank's threads) into where `destination` says; rethrows the first
// failure. What a placement is filled with: chunks of a driver, or evaluated expressions.
using DecodeReads = std::function<void(const RankPlan& reads, const std::function<View(const ChunkRead&)>& destination)>;

class Placement {
 public:
  virtual ~Placement() = default;
  // Pure: the same on every rank.
  virtual Plan plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int ranks,
                    const ReadOptions& options) = 0;
  // Which of the plan's ranks this rank is (the replicated plan is over a node's ranks).
  virtual int planned_rank(const mpi::Comm& comm) const { return comm.rank(); }
  // Collective: decodes this rank's reads of `plan` (it is plan rank `me`) with `decode`
  // into the placement's memory and moves what a rank decoded but does not
  // keep to where it belongs. A failure on any rank fails every rank with the same error.
  // Returns the bytes this rank sent to other ranks.
  virtual std::uint64_t fill(const DecodeReads& decode, const Plan& plan, int me, const mpi::Comm& comm) = 0;
  // Bytes `plan` has decoded by a rank that does not keep them (what must travel).
  virtual std::uint64_t bytes_not_owned(const Plan&) const { return 0; }
  // Bytes plan rank `me` will allocate in `fill` (checked against its memory limit first).
  virtual std::uint64_t bytes_held(const Plan& plan, int me) const = 0;
};

// Placements that decode all of a rank's reads, then exchange: `fill` allocates, decodes
// every read where `destination` says, agrees on the outcome, and calls `exchange`.
class DecodeThenExchange : public Placement {
 public:
  std::uint64_t fill(const DecodeReads& decode, const Plan& plan, int me, const mpi::Comm& comm) final;

 protected:
  // This rank's memory for `plan`, before any read. May throw (inside an agreed step).
  virtual void allocate(const Plan& plan, int rank) = 0;
  // Where one of this rank's reads decodes to. Called from decode threads at once.
  virtual View destination(const ChunkRead& read) = 0;
  // Collective, after every rank decoded its reads. Returns the bytes this rank sent.
  virtual std::uint64_t exchange(const mpi::Comm& comm, const Plan& plan) = 0;
};

// The whole selection, C order, on one rank (`root`), in its own buffer or in `into` (any
// strides, shape checked by the caller). The other ranks decode in rounds of at most
// kRoundBytes (a test may set fewer) into two send buffers and send each round while decoding the next; the root
// decodes its reads spread over the same rounds and receives each round in place with
// derived datatypes (mpi::RoundGather). A sender holds two rounds, not its share.
class RootPlacement final : public Placement {
 public:
  static constexpr std::uint64_t kRoundBytes = std::uint64_t{32} << 20;

  RootPlacement(DType dtype, Shape shape, int root, std::optional<View> into = {},
                std::uint64_t round_bytes = kRoundBytes)
      : dtype_(dtype), shape_(std::move(shape)), root_(root), into_(std::move(into)), round_bytes_(round_bytes) {}
  Plan plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int ranks,
            const ReadOptions& options) override;
  std::uint64_t fill(const DecodeReads& decode, const Plan& plan, int me, const mpi::Comm& comm) override;
  std::uint64_t bytes_not_owned(const Plan& plan) const override;
  std::uint64_t bytes_held(const Plan& plan, int me) const override;
  Buffer take() { return std::move(whole_); }  // empty except on the root

 private:
  DType dtype_;
  Shape shape_;
  int root_;
  std::optional<View> into_;  // the caller's memory, on the root
  std::uint64_t round_bytes_;
  Buffer whole_;  // the root's array, unless into_
};

// Runs of planes, one per rank (strata/slab.hpp); nothing moves between ranks.
class SlabPlacement final : public DecodeThenExchange {
 public:
  SlabPlacement(DType dtype, Shape shape, int plane_axes);
  Plan plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int ranks,
            const ReadOptions& options) override;
  void allocate(const Plan& plan, int rank) override;
  View destination(const ChunkRead& read) override;
  std::uint64_t exchange(const mpi::Comm&, const Plan&) override { return 0; }
  std::uint64_t bytes_held(const Plan& plan, int me) const override;
  Slab take() { return std::move(slab_); }

 private:
  Slab slab_;
  std::vector<std::int64_t> plane_bounds_;
};

// Each rank owns one box (slab, blocks, boxes layouts), in its own buffer or in `into` (whose
// shape the caller checked). The
// owner-aware plan (plan/owner_plan.hpp) has each chunk read by the rank owning most of it,
// decoded straight into that rank's box when the box holds all of the read, else into a
// staging buffer; one MPI_Alltoallw then moves every piece to its owners, in place.
class OwnerPlacement final : public DecodeThenExchange {
 public:
  OwnerPlacement(DType dtype, Layout layout, std::optional<View> into = {})
      : dtype_(dtype), layout_(std::move(layout)), into_(std::move(into)) {}
  Plan plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int ranks,
            const ReadOptions& options) override;
  void allocate(const Plan& plan, int rank) override;
  View destination(const ChunkRead& read) override;
  std::uint64_t exchange(const mpi::Comm& comm, const Plan& plan) override;
  std::uint64_t bytes_not_owned(const Plan&) const override { return owner_.bytes_not_owned; }
  std::uint64_t bytes_held(const Plan& plan, int me) const override;
  Buffer take() { return std::move(own_); }  // this rank's box, C order (empty with `into`)

 private:
  DType dtype_;
  Layout layout_;
  std::optional<View> into_;
  OwnerPlan owner_;
  int rank_ = 0;
  Buffer own_;      // this rank's box, unless into_
  View target_;     // where this rank's box is
  Buffer staging_;  // reads this rank decodes but does not wholly own
};

// The whole selection once per node, in a shared window: each node's ranks decode a
// balanced share of the chunks into it; nothing moves between nodes or ranks.
class ReplicatedPlacement final : public DecodeThenExchange {
 public:
  // Collective over `comm` (creates the node's window).
  ReplicatedPlacement(const mpi::Comm& comm, DType dtype, Box selection);
  Plan plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int ranks,
            const ReadOptions& options) override;
  int planned_rank(const mpi::Comm&) const override { return window_->node().rank(); }
  std::uint64_t bytes_held(const Plan&, int) const override { return 0; }  // the window exists
  void allocate(const Plan&, int) override {}
  View destination(const ChunkRead& read) override;
  std::uint64_t exchange(const mpi::Comm& comm, const Plan& plan) override;
  Part take();

 private:
  DType dtype_;
  Box selection_;
  std::shared_ptr<mpi::SharedWindow> window_;
};

// Collective: plans with `placement`, checks what each rank would hold against its memory
// limit (array/memory_limit.hpp), lets it fill its memory (decode and move) and returns what
// the read took, moved and held.
ReadStats run_placement(Placement& placement, const Driver& driver, const Box& selection, const mpi::Comm& comm,
                        const ReadOptions& options);

}  // namespace strata
