#pragma once
// Reads any region of an array whatever its chunking: every chunk the region touches decodes
// its part into the destination (Driver::read_chunk). For an operand whose chunks differ from
// the chunks that drive an evaluation (strata/expression.hpp): a block of the driving array
// is read from the other one without planning it.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "strata/box.hpp"
#include "strata/buffer.hpp"
#include "strata/driver.hpp"

namespace strata::exec {

class RegionReader {
 public:
  explicit RegionReader(const Driver& driver);
  // Writes `region` (array coordinates) into `dest` (its shape). Thread-safe. Throws
  // strata::Error when no chunk covers part of the region, or from read_chunk.
  void read(const Box& region, const View& dest) const;

 private:
  const Driver* driver_;
  // The chunks ordered by their start on the first axis, and the longest extent on that axis:
  // the chunks meeting a region lie between two binary searches.
  std::vector<std::size_t> order_;
  std::vector<std::int64_t> starts_;
  std::int64_t longest_ = 1;
};

}  // namespace strata::exec
