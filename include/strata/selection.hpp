#pragma once
// Per-axis selections parsed from text such as "C=1,Z=2:5".
// An index keeps its axis (length 1), so a selection never changes the array's rank.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/box.hpp"

namespace strata {

struct AxisSelection {
  char axis = 0;                      // upper-case letter
  std::optional<std::int64_t> start;  // absent: from 0
  std::optional<std::int64_t> stop;   // absent: to the end
  bool is_index = false;              // "Z=3": start=3, stop=4
};

struct Selection {
  std::vector<AxisSelection> axes;    // at most one per letter
  bool all() const noexcept { return axes.empty(); }
  std::string to_string() const;
};

// Parses "C=1,Z=2:5", "z=:10", "" (everything). Axis letters are case-insensitive.
// Throws strata::Error on syntax errors and repeated axes.
Selection parse_selection(std::string_view text);

// The box a selection picks from an array with these dims and shape. Throws strata::Error
// for axes the array does not have, indices out of range and empty ranges.
Box resolve(const Selection& sel, std::string_view dims, const Shape& shape);

}  // namespace strata
