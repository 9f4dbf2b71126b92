#pragma once
// The slab layout's planner (internal: applications get slabs from Array::read_slab).
#include <cstdint>
#include <vector>

#include "strata/plan.hpp"

namespace strata {

// The slab layout's plan (strata/slab.hpp): rank r decodes exactly the selection's planes
// [plane_bounds[r], plane_bounds[r+1]). Boundaries fall between chunks when there are enough
// such places, and balance the estimated cost; a chunk spanning two ranks' planes is read by
// both, each its own part. Reads' `dest` is in selection coordinates and `local_offset` is
// the byte offset of dest.start in the rank's slab.
struct SlabPlan {
  Plan plan;
  int plane_axes = 2;
  std::vector<std::int64_t> plane_bounds;  // ranks + 1 non-decreasing plane numbers
};

// Throws strata::Error for an empty selection or ranks < 1.
SlabPlan make_slab_plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int plane_axes,
                        int ranks, const CostModel& cost = {});

}  // namespace strata
