#include "strata/slab.hpp"

#include <algorithm>
#include <utility>

#include "strata/error.hpp"
#include "strata/grid.hpp"

namespace strata {

int plane_axes(const std::string& dims, std::size_t rank) noexcept {
  const bool samples = dims.size() >= 3 && dims.substr(dims.size() - 3) == "YXS";
  return static_cast<int>(std::min<std::size_t>(samples ? 3 : 2, rank));
}

std::int64_t plane_count(const Shape& shape, int plane_axes) noexcept {
  std::int64_t n = 1;
  for (std::size_t i = 0; i + static_cast<std::size_t>(plane_axes) < shape.size(); ++i) n *= shape[i];
  return n;
}

namespace {

// Box over the leading axes of one "row" of planes: [begin, end) differ only in the axis
// `axis` and below it the planes are whole.
void add_boxes(const Shape& lead, std::int64_t begin, std::int64_t end, std::vector<Box>& out) {
  // Split [begin, end) by the largest aligned blocks, recursing from the last leading axis:
  // a suffix run to the next block boundary, whole blocks, and a prefix run.
  const std::size_t k = lead.size();
  while (begin < end) {
    // Find the largest axis-suffix block size that begin is aligned to and fits in [begin, end).
    std::int64_t block = 1;
    std::size_t axis = k;  // planes at `begin` vary along lead[axis-1] in steps of `block`
    while (axis > 0) {
      const std::int64_t bigger = block * lead[axis - 1];
      if (begin % bigger != 0 || begin + bigger > end) break;
      block = bigger;
      --axis;
    }
    // Take as many `block`s as fit along axis-1 without crossing the next boundary.
    std::int64_t count = 1;
    if (axis > 0) {
      const std::int64_t boundary = (begin / (block * lead[axis - 1]) + 1) * block * lead[axis - 1];
      count = (std::min(end, boundary) - begin) / block;
    }
    Box box;
    box.start = unravel(begin, lead);
    box.stop = box.start;
    for (std::size_t i = 0; i < k; ++i) {
      if (i + 1 < axis) box.stop[i] = box.start[i] + 1;        // fixed
      else if (i + 1 == axis) box.stop[i] = box.start[i] + count;  // the run
      else box.stop[i] = lead[i];                                  // whole (start is 0)
    }
    if (axis == 0) box.stop = lead;  // begin == 0 and the whole array fits
    out.push_back(std::move(box));
    begin += count * block;
  }
}

}  // namespace

std::vector<Box> plane_range_boxes(const Shape& shape, int plane_axes, std::int64_t begin, std::int64_t end) {
  std::vector<Box> boxes;
  if (begin >= end) return boxes;
  const std::size_t lead_rank = shape.size() - static_cast<std::size_t>(plane_axes);
  const Shape lead(shape.begin(), shape.begin() + static_cast<std::ptrdiff_t>(lead_rank));
  if (lead.empty()) {
    boxes.push_back(Box::whole(shape));
    return boxes;
  }
  add_boxes(lead, begin, end, boxes);
  for (auto& box : boxes)
    for (std::size_t i = lead_rank; i < shape.size(); ++i) {
      box.start.push_back(0);
      box.stop.push_back(shape[i]);
    }
  return boxes;
}

std::size_t Slab::plane_bytes() const noexcept {
  std::int64_t n = 1;
  for (std::size_t i = shape.size() - static_cast<std::size_t>(plane_axes); i < shape.size(); ++i) n *= shape[i];
  return static_cast<std::size_t>(n) * size_of(dtype);
}

Box Slab::box() const {
  const std::vector<Box> runs = boxes();
  if (runs.size() == 1) return runs.front();
  if (runs.empty()) {
    // An empty run: no planes, at the start of the leading axes.
    Box none = Box::whole(shape);
    for (std::size_t i = 0; i + static_cast<std::size_t>(plane_axes) < shape.size(); ++i) none.stop[i] = 0;
    return none;
  }
  throw Error("", "this rank's planes [" + std::to_string(plane_begin) + ", " + std::to_string(plane_end) +
                      ") are " + std::to_string(runs.size()) + " boxes, not one (see Slab::boxes)");
}

ConstView Slab::view(const Box& box) const {
  // The C-order offset of box.start, less this slab's first byte.
  const std::int64_t offset = linear_index(box.start, shape) * static_cast<std::int64_t>(size_of(dtype)) -
                              plane_begin * static_cast<std::int64_t>(plane_bytes());
  if (offset < 0 || static_cast<std::uint64_t>(offset) + box.count() * size_of(dtype) > data.size())
    throw Error("", "slab view " + box.to_string() + " outside this rank's planes");
  ConstView whole = ConstView::contiguous(data.data() + offset, dtype, shape);
  whole.shape = box.shape();
  return whole;
}

View Slab::view(const Box& box) {
  const ConstView v = std::as_const(*this).view(box);
  // This slab is not const: its memory may be written through the view.
  return View{const_cast<std::byte*>(v.data), v.dtype, v.shape, v.byte_strides};
}

}  // namespace strata
