#pragma once
// Grid arithmetic, in one place: C-order strides and linear indices, stepping through
// positions in C order, and regular chunk grids (chunk boxes, clipped edge chunks, the
// chunks a region touches). Every driver, the planner, the slab code and every writer use
// these; nothing else re-derives them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strata/box.hpp"

namespace strata {

using Index = std::vector<std::int64_t>;

// Strides of a C-order array of `shape` whose elements are `element` apart (1: in elements,
// the element size: in bytes).
std::vector<std::int64_t> c_strides(const Shape& shape, std::int64_t element = 1);
// Position of `at` in a C-order array of `shape` (elements from the start).
std::int64_t linear_index(const Index& at, const Shape& shape) noexcept;
// The position in `shape` of C-order element number `linear` (the inverse of linear_index).
Index unravel(std::int64_t linear, const Shape& shape);
// Steps `at` to the next position of `box` in C order (last axis fastest). Returns false,
// leaving `at` at box.start, after the last position.
bool next_in(Index& at, const Box& box) noexcept;
// "(0,3,1)": how errors and reports name a grid position.
std::string index_text(const Index& at);

// A regular grid of chunks of `chunk` elements over an array of `shape`; chunks on the
// far edges are clipped to the array. A chunk extent <= 0 makes an empty grid (never a
// division by zero: shapes come from files).
struct ChunkGrid {
  Shape shape;
  Shape chunk;

  // Chunks per axis.
  Shape extent() const;
  std::int64_t count() const noexcept;
  // The chunk at grid position `at`, clipped to the array, and unclipped (as stored).
  Box box(const Index& at) const;
  Box full_box(const Index& at) const;
  // The grid position of the chunk whose box starts at `start`.
  Index position(const Index& start) const;
  // The grid positions of every chunk that overlaps `region`, as a box of positions.
  Box touching(const Box& region) const;
  // The same, clipped to the grid, for any `region` (parts outside the array meet nothing);
  // nullopt when no chunk meets it.
  std::optional<Box> meeting(const Box& region) const;
};

}  // namespace strata
