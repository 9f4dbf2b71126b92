#include "plan/slab_plan.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "plan/candidates.hpp"
#include "plan/plane_chunks.hpp"
#include "strata/error.hpp"
#include "strata/grid.hpp"
#include "strata/slab.hpp"

namespace strata {

std::vector<Candidate> select_chunks(const ChunkTable& table, const Box& selection,
                                     std::size_t element_size, const CostModel& model) {
  std::vector<Candidate> out;
  for (std::size_t i = 0; i < table.chunks.size(); ++i) {
    const ChunkRef& chunk = table.chunks[i];
    auto region = intersect(chunk.box, selection);
    if (!region) continue;
    Candidate c;
    c.read.chunk = i;
    c.read.dest = region->relative_to(selection.start);
    // A partial read touches about its share of the stored bytes (strips, tiles).
    const double fraction = static_cast<double>(region->count()) / static_cast<double>(chunk.box.count());
    c.read.stored_bytes = static_cast<std::uint64_t>(std::llround(chunk.stored_bytes() * fraction));
    c.read.decoded_bytes = static_cast<std::uint64_t>(region->count()) * element_size;
    c.read.region = std::move(*region);
    c.cost = model.per_stored_byte * static_cast<double>(c.read.stored_bytes) +
             model.per_decoded_byte * static_cast<double>(c.read.decoded_bytes);
    out.push_back(std::move(c));
  }
  return out;
}

void check_plan_inputs(const Box& selection, int ranks) {
  if (ranks < 1) throw Error("", "the rank count must be at least 1, not " + std::to_string(ranks));
  if (selection.empty()) throw Error("", "the selection " + selection.to_string() + " is empty");
}

namespace {

// Rank of each candidate. Contiguous runs keep a rank's reads close on disk and its part
// of the output in few pieces; `bytes` places the run boundaries where the running cost
// is nearest to an equal share, so no rank exceeds its share by more than one chunk.
std::vector<int> assign(const std::vector<Candidate>& cands, int ranks, Strategy strategy) {
  const std::size_t n = cands.size();
  std::vector<int> owner(n, 0);
  switch (strategy) {
    case Strategy::round_robin:
      for (std::size_t i = 0; i < n; ++i) owner[i] = static_cast<int>(i % ranks);
      break;
    case Strategy::block:
      for (int r = 0; r < ranks; ++r)
        for (std::size_t i = n * r / ranks; i < n * (r + 1) / ranks; ++i) owner[i] = r;
      break;
    case Strategy::bytes: {
      std::vector<double> prefix(n + 1, 0);
      for (std::size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + cands[i].cost;
      const double total = prefix[n];
      std::size_t begin = 0;
      for (int r = 0; r < ranks; ++r) {
        std::size_t end = n;
        if (r + 1 < ranks) {
          const double target = total * (r + 1) / ranks;
          end = std::min(n, static_cast<std::size_t>(
                                std::lower_bound(prefix.begin() + begin, prefix.end(), target) - prefix.begin()));
          // lower_bound gives the first boundary at or past the target; the one before may be nearer.
          if (end > begin && target - prefix[end - 1] < prefix[end] - target) --end;
        }
        for (std::size_t i = begin; i < end; ++i) owner[i] = r;
        begin = end;
      }
      break;
    }
  }
  return owner;
}

}  // namespace

Strategy parse_strategy(std::string_view text) {
  if (text == "bytes") return Strategy::bytes;
  if (text == "block") return Strategy::block;
  if (text == "round-robin") return Strategy::round_robin;
  throw Error("", "unknown strategy '" + std::string(text) + "' (expected bytes, block or round-robin)");
}

std::string_view name(Strategy s) noexcept {
  switch (s) {
    case Strategy::bytes: return "bytes";
    case Strategy::block: return "block";
    case Strategy::round_robin: return "round-robin";
  }
  return "?";
}

std::size_t Plan::chunk_count() const noexcept {
  std::size_t n = 0;
  for (const auto& r : ranks) n += r.reads.size();
  return n;
}

double Plan::imbalance() const noexcept {
  if (ranks.empty()) return 0;
  double total = 0, worst = 0;
  for (const auto& r : ranks) {
    total += r.cost;
    worst = std::max(worst, r.cost);
  }
  const double mean = total / static_cast<double>(ranks.size());
  return mean > 0 ? worst / mean - 1 : 0;
}

Plan make_plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int ranks,
               Strategy strategy, const CostModel& cost) {
  check_plan_inputs(selection, ranks);
  auto cands = select_chunks(table, selection, element_size, cost);
  if (cands.empty()) throw Error("", "no stored chunk covers the selection " + selection.to_string());
  auto owner = assign(cands, ranks, strategy);

  Plan plan;
  plan.selection = selection;
  plan.element_size = element_size;
  plan.ranks.resize(ranks);
  for (std::size_t i = 0; i < cands.size(); ++i) {
    RankPlan& rp = plan.ranks[owner[i]];
    ChunkRead read = std::move(cands[i].read);
    read.local_offset = rp.decoded_bytes;
    rp.stored_bytes += read.stored_bytes;
    rp.decoded_bytes += read.decoded_bytes;
    rp.cost += cands[i].cost;
    rp.reads.push_back(std::move(read));
  }
  return plan;
}

SlabPlan make_slab_plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int plane_axes,
                        int ranks, const CostModel& cost) {
  check_plan_inputs(selection, ranks);
  const PlaneChunks chunks(table, selection, element_size, plane_axes, cost);
  SlabPlan out;
  out.plane_axes = plane_axes;
  out.plane_bounds = chunks.rank_bounds(ranks);
  out.plan.selection = selection;
  out.plan.element_size = element_size;
  for (int r = 0; r < ranks; ++r) out.plan.ranks.push_back(chunks.reads(out.plane_bounds[r], out.plane_bounds[r + 1]));
  return out;
}

}  // namespace strata
