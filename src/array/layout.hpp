#pragma once
// The layout seam: where a computed array lands across the ranks. A layout plans which rank
// decodes which chunk (a pure function), owns the memory reads decode into, and moves what
// a rank decoded but does not keep to where it belongs. run_layout runs every layout the
// same way; Array only picks one. Layouts to come (blocks, replicated, caller memory) are
// new implementations of this one interface.
#include <cstddef>

#include "mpi/comm.hpp"
#include "strata/array.hpp"
#include "strata/plan.hpp"
#include "strata/slab.hpp"

namespace strata {

class Layout {
 public:
  virtual ~Layout() = default;
  // Pure: the same on every rank.
  virtual Plan plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int ranks,
                    const ReadOptions& options) = 0;
  // This rank's memory for `plan`, before any read.
  virtual void allocate(const Plan& plan, int rank) = 0;
  // Where one of this rank's reads decodes to. Called from decode threads at once.
  virtual View destination(const ChunkRead& read) = 0;
  // Collective, after every rank decoded its reads.
  virtual void exchange(const mpi::Comm& comm, const Plan& plan) = 0;
};

// The whole selection, C order, on one rank (`root`); the other ranks send what they
// decoded there, received in place with derived datatypes.
class RootLayout final : public Layout {
 public:
  RootLayout(DType dtype, Shape shape, int root) : dtype_(dtype), shape_(std::move(shape)), root_(root) {}
  Plan plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int ranks,
            const ReadOptions& options) override;
  void allocate(const Plan& plan, int rank) override;
  View destination(const ChunkRead& read) override;
  void exchange(const mpi::Comm& comm, const Plan& plan) override;
  Buffer take() { return std::move(whole_); }  // empty except on the root

 private:
  DType dtype_;
  Shape shape_;
  int root_;
  bool is_root_ = false;
  Buffer whole_;  // the root's array
  Buffer local_;  // another rank's reads, back to back
};

// Runs of planes, one per rank (strata/slab.hpp); nothing moves between ranks.
class SlabLayout final : public Layout {
 public:
  SlabLayout(DType dtype, Shape shape, int plane_axes);
  Plan plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int ranks,
            const ReadOptions& options) override;
  void allocate(const Plan& plan, int rank) override;
  View destination(const ChunkRead& read) override;
  void exchange(const mpi::Comm&, const Plan&) override {}
  Slab take() { return std::move(slab_); }

 private:
  Slab slab_;
  std::vector<std::int64_t> plane_bounds_;
};

// Collective: plans with `layout`, lets it allocate, decodes this rank's reads on its
// decode threads straight into the layout's memory, agrees on the outcome (one failing
// rank fails all with the same error), and lets the layout exchange.
ReadStats run_layout(Layout& layout, const Driver& driver, const Box& selection, const mpi::Comm& comm,
                     const ReadOptions& options);

}  // namespace strata
