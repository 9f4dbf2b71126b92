#pragma once
// Owner-aware planning, for layouts where each rank owns a box of the selection (slab,
// blocks, boxes): a pure function, no MPI. Each chunk is read by a rank that owns part of it
// (chunks that decode in parts, like TIFF strips, are shared out by part); only the parts a
// rank decoded but does not own travel, as pieces.
#include <cstdint>
#include <vector>

#include "strata/plan.hpp"

namespace strata {

// A box of one read that travels from the rank that decoded it to a rank that owns it (or,
// for a staged read, from the reader's staging buffer into its own box: from == to).
struct Piece {
  int from = 0;
  int to = 0;
  std::size_t read = 0;  // index into plan.ranks[from].reads
  Box box;               // selection coordinates, inside that read's dest and rank `to`'s box
};

struct OwnerPlan {
  // Reads per rank. A read's region is the bounding box of the chunk's owned parts (chunks
  // nobody owns are not read). A read is staged when the reader's box does not hold all of
  // its dest; `local_offset` is then its offset in the reader's staging buffer.
  Plan plan;
  std::vector<Box> owned;                     // each rank's box, selection coordinates
  std::vector<std::uint64_t> staging_bytes;   // per rank
  std::vector<Piece> pieces;                  // ordered by (from, read), then by `to`
  // Bytes decoded by a rank outside its own box (what must travel when boxes are disjoint).
  std::uint64_t bytes_not_owned = 0;
};

// `owned` holds one box per rank in the selection's coordinates (empty boxes allowed; boxes
// may overlap). A chunk whose table has partial blocks is cut at the owners' boundaries,
// snapped to its blocks; each read (a chunk, or such a part) goes to the rank owning most of
// it (ties: least cost so far, then lowest rank) unless another owner's estimated cost
// (reading, plus `cost.per_moved_byte` for each byte it sends or receives) is behind by more
// than the read's own cost: then to the owner left with the least. Throws strata::Error for an
// empty selection or no ranks.
OwnerPlan make_owner_plan(const ChunkTable& table, const Box& selection, std::size_t element_size,
                          const std::vector<Box>& owned, const CostModel& cost = {});

}  // namespace strata
