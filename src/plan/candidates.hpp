#pragma once
// The chunks a selection touches, each with its read and estimated cost, before any rank
// gets them: the common first step of every plan (plan.cpp, plane_chunks.cpp).
#include <vector>

#include "strata/plan.hpp"

namespace strata {

struct Candidate {
  ChunkRead read;  // region and dest set; local_offset not yet
  double cost = 0;
};

// In chunk-table order.
std::vector<Candidate> select_chunks(const ChunkTable& table, const Box& selection, std::size_t element_size,
                                     const CostModel& model);

}  // namespace strata
