#pragma once
// Where a read array lands across the ranks: a plain value (no templates, public fields) that
// Array::read and Array::read_into take and a Python binding can express as it is. Every
// layout gives each rank one box of the selection (possibly empty); boxes_for says which,
// the same on every rank, without communication.
#include <string>
#include <vector>

#include "strata/box.hpp"

namespace strata {

struct Layout {
  enum class Kind { root, slab, blocks, boxes, replicated };

  Kind kind = Kind::root;
  int root_rank = 0;          // root: the rank that holds the whole selection
  int axis = -1;              // slab: the axis cut into ranges; -1 = the outermost with more than one element
  std::vector<int> grid;      // blocks: ranks along each axis (product <= ranks); empty = chosen from the shape
  std::vector<Box> per_rank;  // boxes: one box per rank, in the selection's coordinates; may be empty

  // The whole selection on one rank (what Array::gather does); the others hold nothing.
  static Layout root(int rank = 0);
  // Balanced contiguous ranges along one axis, whole along the others; rank r has range r.
  static Layout slab(int axis = -1);
  // A process grid: each rank one block, ranks numbered in C order over the grid; ranks
  // beyond the grid's product hold nothing. The default grid factors the rank count like
  // MPI_Dims_create, giving the largest factors to the longest axes.
  static Layout blocks(std::vector<int> grid = {});
  // Any decomposition: rank r holds per_rank[r] (boxes may overlap, leave gaps or be empty).
  static Layout boxes(std::vector<Box> per_rank);
  // Every rank sees the whole selection, one copy per node in memory the node's ranks share.
  static Layout replicated();

  // Pure: every rank's box of an array of `shape` (the selection's) over `ranks` ranks, in
  // the selection's coordinates. Throws strata::Error when the layout does not fit (a root
  // or a grid beyond the ranks, an axis beyond the shape, boxes outside it or not one per
  // rank), the same on every rank.
  std::vector<Box> boxes_for(const Shape& shape, int ranks) const;
  std::string to_string() const;  // "root:0", "slab:1", "blocks:1x2x2", "boxes", "replicated"
};

}  // namespace strata
