#pragma once
// Evaluating delayed expressions (strata/expression.hpp). The first array of the tree drives:
// its plan (make_plan, or a layout's) gives each rank its chunk reads; for each read a decode
// thread reads that block of every array (the driving one with its chunk, the others through
// a RegionReader) into per-thread memory, applies the operators block-wise, and either
// writes the block into the layout's destination (element-wise) or folds it into the
// thread's partial result of the output's shape (reductions). No operand is ever held whole.
#include "array/layout.hpp"
#include "compute/node.hpp"
#include "mpi/comm.hpp"

namespace strata {

// Collective, for an element-wise tree: computes it into `layout` (RootPlacement, SlabPlacement).
ReadStats compute_into(Placement& layout, const detail::Node& tree, const mpi::Comm& comm, const ReadOptions& options);

// Collective, for a reduce node: the result, C order, on `root`, or on every rank when
// root < 0; an empty Buffer elsewhere.
Buffer compute_reduction(const detail::Node& reduction, const mpi::Comm& comm, const ReadOptions& options, int root,
                         ReadStats* stats);

// The bytes of every array an element-wise tree reads.
std::uint64_t bytes_read(const detail::Node& tree);

}  // namespace strata
