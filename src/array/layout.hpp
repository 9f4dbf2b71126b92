#pragma once
// The layout seam: where a computed array lands across the ranks. A placement plans which
// rank decodes which chunk (a pure function), owns or borrows the memory reads decode into,
// and moves what a rank decoded but does not keep to where it belongs. run_placement runs
// every placement the same way; Array only picks one. The public strata::Layout value
// (strata/layout.hpp) chooses the placement: root → RootPlacement, slab/blocks/boxes →
// OwnerPlacement, replicated → ReplicatedPlacement; Array::read_slab's runs of planes are
// SlabPlacement.
#include <cstddef>
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

class Placement {
 public:
  virtual ~Placement() = default;
  // Pure: the same on every rank.
  virtual Plan plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int ranks,
                    const ReadOptions& options) = 0;
  // Which of the plan's ranks this rank is (the replicated plan is over a node's ranks).
  virtual int planned_rank(const mpi::Comm& comm) const { return comm.rank(); }
  // This rank's memory for `plan`, before any read. May throw (inside an agreed step).
  virtual void allocate(const Plan& plan, int rank) = 0;
  // Where one of this rank's reads decodes to. Called from decode threads at once.
  virtual View destination(const ChunkRead& read) = 0;
  // Collective, after every rank decoded its reads. Returns the bytes this rank sent to
  // other ranks.
  virtual std::uint64_t exchange(const mpi::Comm& comm, const Plan& plan) = 0;
  // Bytes `plan` has decoded by a rank that does not keep them (what must travel).
  virtual std::uint64_t bytes_not_owned(const Plan&) const { return 0; }
};

// The whole selection, C order, on one rank (`root`), in its own buffer or in `into` (any
// strides, shape checked by the caller); the other ranks send what they decoded there, received in place with derived
// datatypes.
class RootPlacement final : public Placement {
 public:
  RootPlacement(DType dtype, Shape shape, int root, std::optional<View> into = {})
      : dtype_(dtype), shape_(std::move(shape)), root_(root), into_(std::move(into)) {}
  Plan plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int ranks,
            const ReadOptions& options) override;
  void allocate(const Plan& plan, int rank) override;
  View destination(const ChunkRead& read) override;
  std::uint64_t exchange(const mpi::Comm& comm, const Plan& plan) override;
  std::uint64_t bytes_not_owned(const Plan& plan) const override;
  Buffer take() { return std::move(whole_); }  // empty except on the root

 private:
  DType dtype_;
  Shape shape_;
  int root_;
  std::optional<View> into_;  // the caller's memory, on the root
  bool is_root_ = false;
  Buffer whole_;  // the root's array, unless into_
  View target_;   // where the root's array is
  Buffer local_;  // another rank's reads, back to back
};

// Runs of planes, one per rank (strata/slab.hpp); nothing moves between ranks.
class SlabPlacement final : public Placement {
 public:
  SlabPlacement(DType dtype, Shape shape, int plane_axes);
  Plan plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int ranks,
            const ReadOptions& options) override;
  void allocate(const Plan& plan, int rank) override;
  View destination(const ChunkRead& read) override;
  std::uint64_t exchange(const mpi::Comm&, const Plan&) override { return 0; }
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
class OwnerPlacement final : public Placement {
 public:
  OwnerPlacement(DType dtype, Layout layout, std::optional<View> into = {})
      : dtype_(dtype), layout_(std::move(layout)), into_(std::move(into)) {}
  Plan plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int ranks,
            const ReadOptions& options) override;
  void allocate(const Plan& plan, int rank) override;
  View destination(const ChunkRead& read) override;
  std::uint64_t exchange(const mpi::Comm& comm, const Plan& plan) override;
  std::uint64_t bytes_not_owned(const Plan&) const override { return owner_.bytes_not_owned; }
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
class ReplicatedPlacement final : public Placement {
 public:
  // Collective over `comm` (creates the node's window).
  ReplicatedPlacement(const mpi::Comm& comm, DType dtype, Box selection);
  Plan plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int ranks,
            const ReadOptions& options) override;
  int planned_rank(const mpi::Comm&) const override { return window_->node().rank(); }
  void allocate(const Plan&, int) override {}
  View destination(const ChunkRead& read) override;
  std::uint64_t exchange(const mpi::Comm& comm, const Plan& plan) override;
  Part take();

 private:
  DType dtype_;
  Box selection_;
  std::shared_ptr<mpi::SharedWindow> window_;
};

// Collective: plans with `placement`, lets it allocate, decodes this rank's reads on its
// decode threads straight into the placement's memory, agrees on the outcome (one failing
// rank fails all with the same error), and lets the placement exchange.
ReadStats run_placement(Placement& placement, const Driver& driver, const Box& selection, const mpi::Comm& comm,
                        const ReadOptions& options);

}  // namespace strata
