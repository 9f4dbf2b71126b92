#include "plan/owner_plan.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "plan/candidates.hpp"
#include "strata/grid.hpp"
#include "strata/error.hpp"

namespace strata {
namespace {

// The smallest box holding both.
Box bounding(const std::optional<Box>& a, const Box& b) {
  if (!a) return b;
  Box out = *a;
  for (std::size_t i = 0; i < out.rank(); ++i) {
    out.start[i] = std::min(out.start[i], b.start[i]);
    out.stop[i] = std::max(out.stop[i], b.stop[i]);
  }
  return out;
}

// The parts of a chunk's read (`dest`, selection coordinates) that ranks may read apart:
// where the chunk decodes in parts (`block`, aligned to the chunk's start `origin`), the read
// is cut at every boundary of an owner's box inside it, snapped outward to the blocks on both
// sides, so a block straddling a boundary becomes a part of its own and no block is decoded
// twice. Without partial blocks, or with one owner, the read stays whole.
std::vector<Box> parts_to_read(const Box& dest, const Index& origin, const Shape& block, const std::vector<Box>& owned) {
  std::vector<const Box*> owners;
  for (const Box& o : owned)
    if (!o.empty() && intersect(dest, o)) owners.push_back(&o);
  if (block.empty() || owners.size() < 2) return {dest};

  const std::size_t rank = dest.rank();
  std::vector<std::vector<std::int64_t>> cuts(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    std::vector<std::int64_t>& axis = cuts[i];
    axis = {dest.start[i], dest.stop[i]};
    for (const Box* o : owners)
      for (const std::int64_t at : {o->start[i], o->stop[i]}) {
        if (at <= dest.start[i] || at >= dest.stop[i]) continue;
        const std::int64_t down = origin[i] + (at - origin[i]) / block[i] * block[i];
        const std::int64_t up = down == at ? at : down + block[i];
        if (down > dest.start[i]) axis.push_back(down);
        if (up < dest.stop[i]) axis.push_back(up);
      }
    std::sort(axis.begin(), axis.end());
    axis.erase(std::unique(axis.begin(), axis.end()), axis.end());
  }
  // Every cell of the cut grid, C order.
  std::vector<Box> out;
  std::vector<std::size_t> at(rank, 0);
  for (;;) {
    Box cell = dest;
    for (std::size_t i = 0; i < rank; ++i) cell.start[i] = cuts[i][at[i]], cell.stop[i] = cuts[i][at[i] + 1];
    out.push_back(std::move(cell));
    std::size_t i = rank;
    while (i > 0 && ++at[i - 1] + 1 == cuts[i - 1].size()) at[--i] = 0;
    if (i == 0) return out;
  }
}

}  // namespace

OwnerPlan make_owner_plan(const ChunkTable& table, const Box& selection, std::size_t element_size,
                          const std::vector<Box>& owned, const CostModel& cost) {
  const int ranks = static_cast<int>(owned.size());
  check_plan_inputs(selection, ranks);
  OwnerPlan out;
  out.owned = owned;
  out.staging_bytes.resize(owned.size(), 0);
  Plan& plan = out.plan;
  plan.selection = selection;
  plan.element_size = element_size;
  plan.ranks.resize(owned.size());
  const double moved_cost = cost.per_moved_byte * static_cast<double>(element_size);

  for (Candidate& c : select_chunks(table, selection, element_size, cost)) {
    Index origin = table.chunks[c.read.chunk].box.start;  // may lie before the selection
    for (std::size_t i = 0; i < origin.size(); ++i) origin[i] -= selection.start[i];
    const double whole = static_cast<double>(c.read.dest.count());
    for (const Box& part : parts_to_read(c.read.dest, origin, table.partial_block, owned)) {
      // Who owns which of it; the read shrinks to what is owned.
      std::vector<std::optional<Box>> parts(owned.size());
      std::optional<Box> needed;
      for (int r = 0; r < ranks; ++r) {
        if (owned[r].empty()) continue;
        parts[r] = intersect(part, owned[r]);
        if (parts[r]) needed = bounding(needed, *parts[r]);
      }
      if (!needed) continue;  // nobody owns any of it: not read at all
      const Box region = std::move(*needed);
      const std::int64_t count = region.count();

      // The reader is the owner of most of it (ties: least cost so far, then lowest rank),
      // unless another owner is behind it by more than this read's own cost, counting what
      // each would send: then the owner left with the least cost takes it. Owning most alone
      // would leave ranks idle when a layout's cuts fall inside chunks.
      const double fraction = static_cast<double>(count) / whole;
      const double read_cost = c.cost * fraction;
      auto load_if_read_by = [&](int r) {
        return plan.ranks[r].cost + moved_cost * static_cast<double>(count - parts[r]->count());
      };
      int reader = -1, least = -1;
      for (int r = 0; r < ranks; ++r) {
        if (!parts[r]) continue;
        const std::int64_t n = parts[r]->count();
        if (reader < 0 || n > parts[reader]->count() ||
            (n == parts[reader]->count() && plan.ranks[r].cost < plan.ranks[reader].cost))
          reader = r;
        if (least < 0 || load_if_read_by(r) < load_if_read_by(least)) least = r;
      }
      if (load_if_read_by(reader) > load_if_read_by(least) + read_cost) reader = least;
      const std::int64_t kept = parts[reader]->count();

      ChunkRead read = c.read;
      read.stored_bytes = static_cast<std::uint64_t>(std::llround(static_cast<double>(c.read.stored_bytes) * fraction));
      read.decoded_bytes = static_cast<std::uint64_t>(count) * element_size;
      read.region = region;
      for (std::size_t i = 0; i < region.rank(); ++i) {
        read.region.start[i] += selection.start[i];
        read.region.stop[i] += selection.start[i];
      }
      read.dest = region;
      const bool staged = !owned[reader].contains(region);
      if (staged) {
        read.local_offset = out.staging_bytes[reader];
        out.staging_bytes[reader] += read.decoded_bytes;
      }
      out.bytes_not_owned += read.decoded_bytes - static_cast<std::uint64_t>(kept) * element_size;

      RankPlan& rp = plan.ranks[reader];
      const std::size_t index = rp.reads.size();
      rp.stored_bytes += read.stored_bytes;
      rp.decoded_bytes += read.decoded_bytes;
      rp.cost += read_cost + moved_cost * static_cast<double>(count - kept);
      rp.reads.push_back(std::move(read));
      for (int r = 0; r < ranks; ++r) {
        if (!parts[r] || (r == reader && !staged)) continue;
        out.pieces.push_back(Piece{reader, r, index, *parts[r]});
        if (r != reader) plan.ranks[r].cost += moved_cost * static_cast<double>(parts[r]->count());
      }
    }
  }
  // Grouped by sender: each rank's outgoing pieces in the order of its reads.
  std::stable_sort(out.pieces.begin(), out.pieces.end(),
                   [](const Piece& a, const Piece& b) { return a.from < b.from; });
  return out;
}

}  // namespace strata
