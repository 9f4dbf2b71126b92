#include "plan/plane_chunks.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "plan/candidates.hpp"
#include "strata/error.hpp"
#include "strata/grid.hpp"
#include "strata/slab.hpp"

namespace strata {
namespace {

// Cut points 0 = b[0] <= ... <= b[ranks] = planes at the allowed boundaries (`cuttable[p]`)
// nearest to equal shares of the planes' cost.
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

PlaneChunks::PlaneChunks(const ChunkTable& table, const Box& selection, std::size_t element_size, int plane_axes,
                         const CostModel& cost)
    : selection_(selection), shape_(selection.shape()), plane_axes_(plane_axes), element_size_(element_size) {
  if (selection.empty()) throw Error("", "the selection " + selection.to_string() + " is empty");
  const std::size_t lead_rank = shape_.size() - static_cast<std::size_t>(plane_axes);
  // A plane's number is the C-order index of its leading coordinates.
  const Shape lead_shape(shape_.begin(), shape_.begin() + static_cast<std::ptrdiff_t>(lead_rank));
  if (lead_rank > 0) inner_extent_ = lead_shape.back();
  const std::int64_t planes = plane_count(shape_, plane_axes);
  plane_bytes_ = static_cast<std::size_t>(element_count(Shape(shape_.begin() + lead_rank, shape_.end()))) * element_size;
  std::vector<Candidate> cands = select_chunks(table, selection, element_size, cost);
  if (cands.empty()) throw Error("", "no stored chunk covers the selection " + selection.to_string());

  // Each chunk's cost spread over its planes; the planes strictly inside a chunk's span are
  // not between chunks.
  plane_cost_.assign(static_cast<std::size_t>(planes), 0);
  std::vector<int> spans_open(static_cast<std::size_t>(planes) + 1, 0);
  candidates_.reserve(cands.size());
  for (auto& c : cands) {
    const Box& d = c.read.dest;
    std::vector<std::int64_t> last(d.stop.begin(), d.stop.end());
    for (auto& v : last) --v;
    const std::int64_t first_plane = linear_index(d.start, lead_shape), last_plane = linear_index(last, lead_shape);
    PlaneRead pc{std::move(c.read), c.cost, first_plane, last_plane};
    ++spans_open[pc.first_plane + 1];
    --spans_open[pc.last_plane + 1];
    const Box& dest = pc.read.dest;
    const Box lead{std::vector<std::int64_t>(dest.start.begin(), dest.start.begin() + lead_rank),
                   std::vector<std::int64_t>(dest.stop.begin(), dest.stop.begin() + lead_rank)};
    const std::int64_t n = lead_rank ? lead.count() : 1;
    Index at = lead.start;  // each of the chunk's planes, in C order
    do plane_cost_[linear_index(at, lead_shape)] += pc.cost / static_cast<double>(n);
    while (next_in(at, lead));
    candidates_.push_back(std::move(pc));
  }
  between_chunks_.resize(static_cast<std::size_t>(planes) + 1);
  std::int64_t open = 0;
  for (std::int64_t p = 0; p <= planes; ++p) {
    open += spans_open[p];
    between_chunks_[p] = open == 0;
  }
}

bool PlaneChunks::group_allows(std::int64_t p, std::int64_t group) const noexcept {
  return group <= 1 || p == planes() || (p % inner_extent_) % group == 0;
}

std::vector<std::int64_t> PlaneChunks::rank_bounds(int ranks, std::int64_t group) const {
  const std::int64_t n = planes();
  std::vector<bool> grouped(static_cast<std::size_t>(n) + 1), preferred(static_cast<std::size_t>(n) + 1);
  std::int64_t preferred_cuts = 0;
  for (std::int64_t p = 0; p <= n; ++p) {
    grouped[p] = group_allows(p, group);
    preferred[p] = grouped[p] && between_chunks_[p];
    if (preferred[p] && p > 0 && p < n) ++preferred_cuts;
  }
  return balance_planes(plane_cost_, preferred_cuts + 1 >= ranks ? preferred : grouped, ranks);
}

std::vector<std::int64_t> PlaneChunks::windows(std::int64_t begin, std::int64_t end, std::int64_t max_planes,
                                               std::int64_t group) const {
  std::vector<std::int64_t> bounds{begin};
  max_planes = std::max<std::int64_t>(max_planes, 1);
  for (std::int64_t at = begin; at < end;) {
    const std::int64_t limit = std::min(end, at + max_planes);
    std::int64_t cut = -1, grouped = -1;
    for (std::int64_t p = limit; p > at && cut < 0; --p) {
      if (!group_allows(p, group)) continue;
      if (grouped < 0) grouped = p;
      if (p == end || between_chunks(p)) cut = p;
    }
    if (cut < 0) cut = grouped;
    for (std::int64_t p = limit + 1; cut < 0; ++p)  // one group is more than max_planes
      if (group_allows(p, group)) cut = std::min(p, end);
    bounds.push_back(cut);
    at = cut;
  }
  return bounds;
}

RankPlan PlaneChunks::reads(std::int64_t begin, std::int64_t end) const {
  RankPlan rp;
  const std::size_t lead_rank = shape_.size() - static_cast<std::size_t>(plane_axes_);
  const std::int64_t plane_elements = element_count(Shape(shape_.begin() + lead_rank, shape_.end()));
  for (const Box& piece : plane_range_boxes(shape_, plane_axes_, begin, end))
    for (const PlaneRead& c : candidates_) {
      if (c.last_plane < begin || c.first_plane >= end) continue;
      auto dest = intersect(c.read.dest, piece);
      if (!dest) continue;
      ChunkRead read = c.read;
      const double fraction = static_cast<double>(dest->count()) / static_cast<double>(c.read.dest.count());
      read.stored_bytes = static_cast<std::uint64_t>(std::llround(c.read.stored_bytes * fraction));
      read.decoded_bytes = static_cast<std::uint64_t>(dest->count()) * element_size_;
      read.local_offset =
          static_cast<std::uint64_t>(linear_index(dest->start, shape_) - begin * plane_elements) * element_size_;
      read.region = *dest;
      for (std::size_t i = 0; i < shape_.size(); ++i) {
        read.region.start[i] += selection_.start[i];
        read.region.stop[i] += selection_.start[i];
      }
      read.dest = std::move(*dest);
      rp.stored_bytes += read.stored_bytes;
      rp.decoded_bytes += read.decoded_bytes;
      rp.cost += c.cost * fraction;
      rp.reads.push_back(std::move(read));
    }
  return rp;
}

}  // namespace strata
