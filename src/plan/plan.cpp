#include "plan/slab_plan.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "strata/error.hpp"
#include "strata/grid.hpp"
#include "strata/slab.hpp"

namespace strata {
namespace {

// One selected chunk before it is given to a rank.
struct Candidate {
  ChunkRead read;
  double cost = 0;
};

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
  if (ranks < 1) throw Error("", "the rank count must be at least 1, not " + std::to_string(ranks));
  if (selection.empty()) throw Error("", "the selection " + selection.to_string() + " is empty");
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

namespace {

// Cut points 0 = b[0] <= ... <= b[ranks] = planes at the allowed boundaries (`cuttable[p]`:
// a cut before plane p splits no chunk) nearest to equal shares of the planes' cost.
std::vector<std::int64_t> balance_planes(const std::vector<double>& plane_cost, const std::vector<bool>& cuttable,
                                         int ranks) {
  const auto planes = static_cast<std::int64_t>(plane_cost.size());
  std::vector<double> prefix(plane_cost.size() + 1, 0);
  for (std::size_t p = 0; p < plane_cost.size(); ++p) prefix[p + 1] = prefix[p] + plane_cost[p];
  std::vector<std::int64_t> allowed;
  for (std::int64_t p = 0; p <= planes; ++p)
    if (p == 0 || p == planes || cuttable[p]) allowed.push_back(p);
  std::vector<std::int64_t> bounds{0};
  std::size_t at = 0;
  for (int r = 1; r < ranks; ++r) {
    const double target = prefix[planes] * r / ranks;
    while (at + 1 < allowed.size() && prefix[allowed[at + 1]] <= target) ++at;
    std::size_t pick = at;
    if (at + 1 < allowed.size() && prefix[allowed[at + 1]] - target < target - prefix[allowed[at]]) pick = at + 1;
    bounds.push_back(std::max(bounds.back(), allowed[pick]));
  }
  bounds.push_back(planes);
  return bounds;
}

}  // namespace

SlabPlan make_slab_plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int plane_axes,
                        int ranks, const CostModel& cost) {
  if (ranks < 1) throw Error("", "the rank count must be at least 1, not " + std::to_string(ranks));
  if (selection.empty()) throw Error("", "the selection " + selection.to_string() + " is empty");
  const Shape shape = selection.shape();
  const std::size_t lead_rank = shape.size() - static_cast<std::size_t>(plane_axes);
  // A plane's number is the C-order index of its leading coordinates.
  const Shape lead_shape(shape.begin(), shape.begin() + static_cast<std::ptrdiff_t>(lead_rank));
  const std::int64_t planes = plane_count(shape, plane_axes);
  auto cands = select_chunks(table, selection, element_size, cost);
  if (cands.empty()) throw Error("", "no stored chunk covers the selection " + selection.to_string());

  // Each chunk's cost spread over its planes; the planes strictly inside a chunk's span
  // are not cut points when enough others are.
  std::vector<double> plane_cost(static_cast<std::size_t>(planes), 0);
  std::vector<int> spans_open(static_cast<std::size_t>(planes) + 1, 0);
  std::vector<std::pair<std::int64_t, std::int64_t>> span;  // first and last plane of each candidate
  span.reserve(cands.size());
  for (const auto& c : cands) {
    const Box& d = c.read.dest;
    std::vector<std::int64_t> last(d.stop.begin(), d.stop.end());
    for (auto& v : last) --v;
    const std::int64_t first_plane = linear_index(d.start, lead_shape);
    const std::int64_t last_plane = linear_index(last, lead_shape);
    span.emplace_back(first_plane, last_plane);
    ++spans_open[first_plane + 1];
    --spans_open[last_plane + 1];
    const Box lead{std::vector<std::int64_t>(d.start.begin(), d.start.begin() + lead_rank),
                   std::vector<std::int64_t>(d.stop.begin(), d.stop.begin() + lead_rank)};
    const std::int64_t n = lead_rank ? lead.count() : 1;
    Index at = lead.start;  // each of the chunk's planes, in C order
    do plane_cost[linear_index(at, lead_shape)] += c.cost / static_cast<double>(n);
    while (next_in(at, lead));
  }
  std::vector<bool> between_chunks(static_cast<std::size_t>(planes) + 1);
  std::int64_t open = 0, cut_points = 0;
  for (std::int64_t p = 0; p <= planes; ++p) {
    open += spans_open[p];
    between_chunks[p] = open == 0;
    if (open == 0 && p > 0 && p < planes) ++cut_points;
  }
  const std::vector<bool> cuttable =
      cut_points + 1 >= ranks ? between_chunks : std::vector<bool>(static_cast<std::size_t>(planes) + 1, true);

  SlabPlan out;
  out.plane_axes = plane_axes;
  out.plane_bounds = balance_planes(plane_cost, cuttable, ranks);
  Plan& plan = out.plan;
  plan.selection = selection;
  plan.element_size = element_size;
  plan.ranks.resize(ranks);
  const std::int64_t plane_elements = element_count(Shape(shape.begin() + lead_rank, shape.end()));
  for (int r = 0; r < ranks; ++r) {
    const std::int64_t begin = out.plane_bounds[r], end = out.plane_bounds[r + 1];
    RankPlan& rp = plan.ranks[r];
    for (const Box& piece : plane_range_boxes(shape, plane_axes, begin, end))
      for (std::size_t k = 0; k < cands.size(); ++k) {
        const Candidate& c = cands[k];
        if (span[k].second < begin || span[k].first >= end) continue;
        auto dest = intersect(c.read.dest, piece);
        if (!dest) continue;
        ChunkRead read = c.read;
        const double fraction = static_cast<double>(dest->count()) / static_cast<double>(c.read.dest.count());
        read.stored_bytes = static_cast<std::uint64_t>(std::llround(c.read.stored_bytes * fraction));
        read.decoded_bytes = static_cast<std::uint64_t>(dest->count()) * element_size;
        read.local_offset =
            static_cast<std::uint64_t>(linear_index(dest->start, shape) - begin * plane_elements) * element_size;
        read.region = *dest;
        for (std::size_t i = 0; i < shape.size(); ++i) {
          read.region.start[i] += selection.start[i];
          read.region.stop[i] += selection.start[i];
        }
        read.dest = std::move(*dest);
        rp.stored_bytes += read.stored_bytes;
        rp.decoded_bytes += read.decoded_bytes;
        rp.cost += c.cost * fraction;
        rp.reads.push_back(std::move(read));
      }
  }
  return out;
}

}  // namespace strata
