#pragma once
// A selection's chunks by the planes they cover: what slab plans and streamed windows are
// cut from. Pure (no MPI, no files). Planes are numbered by the selection's leading axes in
// C order (strata/slab.hpp); a cut "before plane p" splits the planes into [.., p) and [p, ..).
#include <cstdint>
#include <vector>

#include "strata/plan.hpp"

namespace strata {

class PlaneChunks {
 public:
  // Throws strata::Error for an empty selection or one no stored chunk covers.
  PlaneChunks(const ChunkTable& table, const Box& selection, std::size_t element_size, int plane_axes,
              const CostModel& cost);

  std::int64_t planes() const noexcept { return static_cast<std::int64_t>(plane_cost_.size()); }
  std::size_t plane_bytes() const noexcept { return plane_bytes_; }
  // No chunk spans the cut before plane p (p in [0, planes]).
  bool between_chunks(std::int64_t p) const { return between_chunks_[static_cast<std::size_t>(p)]; }

  // Rank boundaries: ranks + 1 non-decreasing plane numbers from 0 to planes(), balancing the
  // planes' estimated cost. Cuts fall only where `group` allows (group_allows) and, when
  // there are enough such places, between chunks.
  std::vector<std::int64_t> rank_bounds(int ranks, std::int64_t group = 1) const;

  // Planes [begin, end) cut into windows of at most `max_planes` planes, each ending where
  // `group` allows (a window holds at least one whole group, even when that is more), at the
  // last cut between chunks when there is one, so that a chunk spanning several planes is
  // decoded once (a chunk deeper than a window is decoded once per window it touches).
  // Returns the window boundaries, begin first.
  std::vector<std::int64_t> windows(std::int64_t begin, std::int64_t end, std::int64_t max_planes,
                                    std::int64_t group = 1) const;

  // The reads that decode planes [begin, end): `dest` in selection coordinates, `local_offset`
  // the byte offset of dest.start from plane `begin` in a C-order buffer of those planes.
  RankPlan reads(std::int64_t begin, std::int64_t end) const;

  // A cut before plane p keeps groups of `group` consecutive planes along the innermost
  // leading axis together (Zarr v3 shards span several planes along Z).
  bool group_allows(std::int64_t p, std::int64_t group) const noexcept;

 private:
  struct PlaneRead {  // a chunk read and the planes it spans
    ChunkRead read;
    double cost = 0;
    std::int64_t first_plane = 0, last_plane = 0;
  };
  Box selection_;
  Shape shape_;
  int plane_axes_;
  std::size_t element_size_;
  std::size_t plane_bytes_ = 0;
  std::int64_t inner_extent_ = 1;  // extent of the innermost leading axis (1 without one)
  std::vector<PlaneRead> candidates_;
  std::vector<double> plane_cost_;
  std::vector<bool> between_chunks_;
};

}  // namespace strata
