#pragma once
// A half-open N-dimensional box of array coordinates: [start[i], stop[i]) on axis i.
// The grid arithmetic every layer shares (chunk regions, selections, destinations).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace strata {

using Shape = std::vector<std::int64_t>;

struct Box {
  std::vector<std::int64_t> start;
  std::vector<std::int64_t> stop;

  static Box whole(const Shape& shape);

  std::size_t rank() const noexcept { return start.size(); }
  Shape shape() const;
  // Number of elements; 0 for an empty box.
  std::int64_t count() const noexcept;
  bool empty() const noexcept { return count() == 0; }
  bool contains(const Box& inner) const noexcept;
  // This box moved so that `origin` becomes zero.
  Box relative_to(const std::vector<std::int64_t>& origin) const;
  std::string to_string() const;  // "[0:3, 2:5, ...]"

  friend bool operator==(const Box&, const Box&) = default;
};

// Intersection, or nullopt when the boxes do not overlap.
std::optional<Box> intersect(const Box& a, const Box& b);
std::int64_t element_count(const Shape& shape) noexcept;
// The same in long double, for sizes checked against limits: a hostile shape's product
// would wrap in 64 bits.
long double element_count_wide(const Shape& shape) noexcept;

}  // namespace strata
