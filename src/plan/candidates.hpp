#pragma once
// What every planner starts from: the chunks that meet the selection, each as a read of its
// part with its estimated cost. Internal to src/plan.
#include <vector>

#include "strata/plan.hpp"

namespace strata {

// One selected chunk before it is given to a rank.
struct Candidate {
  ChunkRead read;
  double cost = 0;
};

// The chunks of `table` that meet `selection`, in table order; each read's region is the
// chunk's box ∩ the selection, its dest the same in selection coordinates.
std::vector<Candidate> select_chunks(const ChunkTable& table, const Box& selection, std::size_t element_size,
                                     const CostModel& model);

// Throws strata::Error for ranks < 1 or an empty selection.
void check_plan_inputs(const Box& selection, int ranks);

}  // namespace strata
