#include "plan/owner_plan.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "plan/candidates.hpp"
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

  for (Candidate& c : select_chunks(table, selection, element_size, cost)) {
    // Who owns which part of this chunk's region; the read shrinks to what is owned.
    std::vector<std::optional<Box>> parts(owned.size());
    std::optional<Box> needed;
    int reader = -1;
    std::int64_t most = 0;
    for (int r = 0; r < ranks; ++r) {
      if (owned[r].empty()) continue;
      parts[r] = intersect(c.read.dest, owned[r]);
      if (!parts[r]) continue;
      needed = bounding(needed, *parts[r]);
      const std::int64_t n = parts[r]->count();
      if (n > most || (n == most && plan.ranks[r].cost < plan.ranks[reader].cost)) most = n, reader = r;
    }
    if (reader < 0) continue;  // nobody owns any of it: not read at all
    const Box region = std::move(*needed);

    ChunkRead read = std::move(c.read);
    const double fraction = static_cast<double>(region.count()) / static_cast<double>(read.dest.count());
    read.stored_bytes = static_cast<std::uint64_t>(std::llround(static_cast<double>(read.stored_bytes) * fraction));
    read.decoded_bytes = static_cast<std::uint64_t>(region.count()) * element_size;
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
    out.bytes_not_owned += read.decoded_bytes - static_cast<std::uint64_t>(most) * element_size;

    RankPlan& rp = plan.ranks[reader];
    const std::size_t index = rp.reads.size();
    rp.stored_bytes += read.stored_bytes;
    rp.decoded_bytes += read.decoded_bytes;
    rp.cost += c.cost * fraction;
    rp.reads.push_back(std::move(read));
    for (int r = 0; r < ranks; ++r)
      if (parts[r] && (r != reader || staged)) out.pieces.push_back(Piece{reader, r, index, *parts[r]});
  }
  // Grouped by sender: each rank's outgoing pieces in the order of its reads.
  std::stable_sort(out.pieces.begin(), out.pieces.end(),
                   [](const Piece& a, const Piece& b) { return a.from < b.from; });
  return out;
}

}  // namespace strata
