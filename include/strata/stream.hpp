#pragma once
// Streaming: each rank walks its own run of planes (the slab layout's split, strata/slab.hpp)
// window by window, in plane order, while its decode threads fill the next window. Memory is
// two windows per rank whatever the array's size: what `read -o` converts with, and what an
// application uses to process a stack larger than the job's memory.
#include <cstdint>
#include <memory>
#include <vector>

#include "strata/array.hpp"

namespace strata {

struct StreamOptions {
  ReadOptions read;
  // Bytes of planes one window holds at most (0: 64 MiB); a window always holds at least one
  // plane, or one group (below). With prefetch a rank holds two windows.
  std::uint64_t window_bytes = 0;
  // Consecutive planes along the innermost leading axis that stay in one window and on one
  // rank (an output's shard depth); 1: any cut.
  std::int64_t plane_group = 1;
  bool prefetch = true;  // decode the next window while the caller works on this one
};

class PlaneStream {
 public:
  PlaneStream(PlaneStream&&) noexcept;
  PlaneStream& operator=(PlaneStream&&) noexcept;
  ~PlaneStream();

  // Collective: every rank calls it the same number of times. Moves to this rank's next
  // window (an empty one once its planes are done) and returns true; returns false on every
  // rank at once after the last window of the slowest rank. A failed read on any rank throws
  // the same strata::Error on every rank.
  bool next();

  // The current window: planes [plane_begin(), plane_end()) of the selection, C order.
  const View& window() const noexcept;
  std::int64_t plane_begin() const noexcept;
  std::int64_t plane_end() const noexcept;

  // Rank r walks planes [plane_bounds()[r], plane_bounds()[r+1]); the same on every rank.
  const std::vector<std::int64_t>& plane_bounds() const noexcept;
  int plane_axes() const noexcept;
  // Windows each rank is given (the most any rank needs), and planes in the largest one.
  std::int64_t window_count() const noexcept;
  std::int64_t max_window_planes() const noexcept;
  // Seconds this rank waited for decoding so far, and bytes it decoded.
  double wait_seconds() const noexcept;

 private:
  struct State;
  explicit PlaneStream(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
  friend class Array;
};

}  // namespace strata
