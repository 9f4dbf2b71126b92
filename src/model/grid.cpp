#include "strata/grid.hpp"

#include <algorithm>

namespace strata {

std::vector<std::int64_t> c_strides(const Shape& shape, std::int64_t element) {
  std::vector<std::int64_t> strides(shape.size());
  std::int64_t stride = element;
  for (std::size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

std::int64_t linear_index(const Index& at, const Shape& shape) noexcept {
  std::int64_t index = 0;
  for (std::size_t i = 0; i < shape.size(); ++i) index = index * shape[i] + at[i];
  return index;
}

Index unravel(std::int64_t linear, const Shape& shape) {
  Index at(shape.size());
  for (std::size_t i = shape.size(); i-- > 0;) {
    at[i] = linear % shape[i];
    linear /= shape[i];
  }
  return at;
}

bool next_in(Index& at, const Box& box) noexcept {
  for (std::size_t i = box.rank(); i-- > 0;) {
    if (++at[i] < box.stop[i]) return true;
    at[i] = box.start[i];
  }
  return false;
}

std::string index_text(const Index& at) {
  std::string s = "(";
  for (std::size_t i = 0; i < at.size(); ++i) s += (i ? "," : "") + std::to_string(at[i]);
  return s + ")";
}

Shape ChunkGrid::extent() const {
  Shape n(shape.size());
  for (std::size_t i = 0; i < shape.size(); ++i) n[i] = chunk[i] > 0 ? (shape[i] + chunk[i] - 1) / chunk[i] : 0;
  return n;
}

std::int64_t ChunkGrid::count() const noexcept { return element_count(extent()); }

Box ChunkGrid::full_box(const Index& at) const {
  Box b{Index(at.size()), Index(at.size())};
  for (std::size_t i = 0; i < at.size(); ++i) {
    b.start[i] = at[i] * chunk[i];
    b.stop[i] = b.start[i] + chunk[i];
  }
  return b;
}

Box ChunkGrid::box(const Index& at) const {
  Box b = full_box(at);
  for (std::size_t i = 0; i < at.size(); ++i) b.stop[i] = std::min(b.stop[i], shape[i]);
  return b;
}

Index ChunkGrid::position(const Index& start) const {
  Index at(start.size());
  for (std::size_t i = 0; i < start.size(); ++i) at[i] = chunk[i] > 0 ? start[i] / chunk[i] : 0;
  return at;
}

Box ChunkGrid::touching(const Box& region) const {
  Box b{Index(region.rank()), Index(region.rank())};
  for (std::size_t i = 0; i < region.rank(); ++i) {
    if (chunk[i] <= 0) continue;  // a degenerate grid touches nothing
    b.start[i] = region.start[i] / chunk[i];
    b.stop[i] = region.stop[i] > region.start[i] ? (region.stop[i] - 1) / chunk[i] + 1 : b.start[i];
  }
  return b;
}

std::optional<Box> ChunkGrid::meeting(const Box& region) const {
  const std::optional<Box> inside = intersect(region, Box::whole(shape));
  if (!inside) return std::nullopt;
  const Box positions = touching(*inside);
  if (positions.empty()) return std::nullopt;
  return positions;
}

}  // namespace strata
