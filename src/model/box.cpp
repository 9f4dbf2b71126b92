#include "strata/box.hpp"

#include <algorithm>

namespace strata {

std::int64_t element_count(const Shape& shape) noexcept {
  std::int64_t n = 1;
  for (auto s : shape) n *= std::max<std::int64_t>(s, 0);
  return n;
}

long double element_count_wide(const Shape& shape) noexcept {
  long double n = 1;
  for (auto s : shape) n *= static_cast<long double>(std::max<std::int64_t>(s, 0));
  return n;
}

Box Box::whole(const Shape& shape) {
  return Box{std::vector<std::int64_t>(shape.size(), 0), shape};
}

Shape Box::shape() const {
  Shape s(rank());
  for (std::size_t i = 0; i < rank(); ++i) s[i] = std::max<std::int64_t>(stop[i] - start[i], 0);
  return s;
}

std::int64_t Box::count() const noexcept {
  std::int64_t n = 1;
  for (std::size_t i = 0; i < rank(); ++i) n *= std::max<std::int64_t>(stop[i] - start[i], 0);
  return n;
}

bool Box::contains(const Box& inner) const noexcept {
  if (inner.rank() != rank()) return false;
  for (std::size_t i = 0; i < rank(); ++i)
    if (inner.start[i] < start[i] || inner.stop[i] > stop[i]) return false;
  return true;
}

Box Box::relative_to(const std::vector<std::int64_t>& origin) const {
  Box b = *this;
  for (std::size_t i = 0; i < rank(); ++i) {
    b.start[i] -= origin[i];
    b.stop[i] -= origin[i];
  }
  return b;
}

std::string Box::to_string() const {
  std::string s = "[";
  for (std::size_t i = 0; i < rank(); ++i) {
    if (i) s += ", ";
    s += std::to_string(start[i]) + ":" + std::to_string(stop[i]);
  }
  return s + "]";
}

std::optional<Box> intersect(const Box& a, const Box& b) {
  if (a.rank() != b.rank()) return std::nullopt;
  Box r = a;
  for (std::size_t i = 0; i < a.rank(); ++i) {
    r.start[i] = std::max(a.start[i], b.start[i]);
    r.stop[i] = std::min(a.stop[i], b.stop[i]);
    if (r.start[i] >= r.stop[i]) return std::nullopt;
  }
  return r;
}

}  // namespace strata
