#include "exec/region_reader.hpp"

#include <algorithm>
#include <numeric>

#include "strata/error.hpp"

namespace strata::exec {
namespace {

std::int64_t first_start(const Box& box) { return box.rank() ? box.start[0] : 0; }

}  // namespace

RegionReader::RegionReader(const Driver& driver) : driver_(&driver) {
  const auto& chunks = driver.chunks().chunks;
  order_.resize(chunks.size());
  std::iota(order_.begin(), order_.end(), std::size_t{0});
  std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) {
    return first_start(chunks[a].box) < first_start(chunks[b].box);
  });
  starts_.reserve(chunks.size());
  for (std::size_t i : order_) {
    const Box& box = chunks[i].box;
    starts_.push_back(first_start(box));
    if (box.rank()) longest_ = std::max(longest_, box.stop[0] - box.start[0]);
  }
}

void RegionReader::read(const Box& region, const View& dest) const {
  const auto& chunks = driver_->chunks().chunks;
  const std::int64_t lo = first_start(region) - longest_ + 1;
  const std::int64_t hi = region.rank() ? region.stop[0] : 1;
  const auto begin = std::lower_bound(starts_.begin(), starts_.end(), lo) - starts_.begin();
  const auto end = std::lower_bound(starts_.begin(), starts_.end(), hi) - starts_.begin();
  std::int64_t covered = 0;
  for (auto k = begin; k < end; ++k) {
    const ChunkRef& chunk = chunks[order_[static_cast<std::size_t>(k)]];
    const auto part = intersect(chunk.box, region);
    if (!part) continue;
    driver_->read_chunk(chunk, *part, dest.sub(part->relative_to(region.start)));
    covered += part->count();
  }
  if (covered != region.count())
    throw Error("", "no chunk holds part of the region " + region.to_string() + " of " + driver_->info().format +
                        " array");
}

}  // namespace strata::exec
