#pragma once
// The slab layout: an array distributed over ranks as contiguous runs of planes. A plane is
// one YX image (YXS with samples); planes are numbered by the leading axes in C order, so a
// rank's run of planes is one contiguous byte range of the C-order array. Outputs write
// from slabs, so no rank ever holds more than its share.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "strata/box.hpp"
#include "strata/buffer.hpp"
#include "strata/dtype.hpp"

namespace strata {

// How many trailing axes make one plane: 3 when dims end in "YXS", else 2 (fewer for
// arrays of rank < 2).
int plane_axes(const std::string& dims, std::size_t rank) noexcept;

// Planes of `shape` whose trailing `plane_axes` axes form one plane.
std::int64_t plane_count(const Shape& shape, int plane_axes) noexcept;

// Planes [begin, end) of `shape` as the fewest boxes, in C order: at most 2·(leading axes)−1.
std::vector<Box> plane_range_boxes(const Shape& shape, int plane_axes, std::int64_t begin, std::int64_t end);

// This rank's part of an array in the slab layout.
struct Slab {
  Shape shape;                   // the whole array
  DType dtype = DType::uint8;
  int plane_axes = 2;
  std::int64_t plane_begin = 0;  // this rank's planes: [plane_begin, plane_end)
  std::int64_t plane_end = 0;
  Buffer data;                   // those planes, C order

  std::int64_t planes() const noexcept { return plane_end - plane_begin; }
  std::size_t plane_bytes() const noexcept;
  std::vector<Box> boxes() const { return plane_range_boxes(shape, plane_axes, plane_begin, plane_end); }
  // This rank's planes as one box of the whole array (coordinates of the selection read):
  // for a ZYX stack, [plane_begin:plane_end, 0:Y, 0:X]. Throws strata::Error when the run
  // is not one box (it starts or ends inside a row of an outer axis: use boxes()). An empty
  // run is an empty box.
  Box box() const;
  // The part of the array inside `box` (which must lie within this rank's planes).
  View view(const Box& box);
  ConstView view(const Box& box) const;
  // This rank's planes as elements of type T, C order. Throws strata::Error unless T is the
  // array's dtype (dtype_of<T> == dtype).
  template <class T>
  std::span<T> as() { return data.as<T>(dtype); }
  template <class T>
  std::span<const T> as() const { return data.as<T>(dtype); }
};

}  // namespace strata
