// The planner's contract, checked as properties over many random chunk tables
// (seeded, so a failure reproduces) and on a few tables built by hand.
#include "plan/slab_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <ostream>
#include <random>
#include <sstream>

#include "plan/plane_chunks.hpp"
#include "strata/error.hpp"
#include "strata/slab.hpp"

namespace strata {

static void PrintTo(const Box& b, std::ostream* os) { *os << b.to_string(); }

namespace {

constexpr Strategy kStrategies[] = {Strategy::bytes, Strategy::block, Strategy::round_robin};

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// Chunks of `chunk` shape tiling `shape` in C order of their starts; edge chunks are
// clipped to the array (ragged). Each chunk's stored size comes from `stored_size`.
template <class StoredSize>
ChunkTable tile(const Shape& shape, const Shape& chunk, StoredSize stored_size) {
  ChunkTable table;
  table.files = {"test.ome.tif"};
  table.codecs = {"raw"};
  const std::size_t rank = shape.size();
  Shape grid(rank);
  for (std::size_t i = 0; i < rank; ++i) grid[i] = ceil_div(shape[i], chunk[i]);
  std::vector<std::int64_t> index(rank, 0);
  for (std::int64_t n = 0; n < element_count(grid); ++n) {
    ChunkRef c;
    c.box.start.resize(rank);
    c.box.stop.resize(rank);
    for (std::size_t i = 0; i < rank; ++i) {
      c.box.start[i] = index[i] * chunk[i];
      c.box.stop[i] = std::min(shape[i], c.box.start[i] + chunk[i]);
    }
    std::uint64_t offset = 1000 + 100000 * static_cast<std::uint64_t>(n);
    for (std::uint64_t size : stored_size(c.box)) {
      c.segments.push_back({offset, size});
      offset += size;
    }
    table.chunks.push_back(std::move(c));
    for (std::size_t i = rank; i-- > 0;) {  // next index in C order
      if (++index[i] < grid[i]) break;
      index[i] = 0;
    }
  }
  return table;
}

// Uncompressed: one segment holding the decoded bytes.
ChunkTable tile_raw(const Shape& shape, const Shape& chunk, std::size_t element_size) {
  return tile(shape, chunk, [&](const Box& b) {
    return std::vector<std::uint64_t>{static_cast<std::uint64_t>(b.count()) * element_size};
  });
}

// A random tiling of a random TCZYX array: one plane per chunk, YX tiles, several Z per
// chunk, or an arbitrary chunk shape. Stored sizes vary widely (compression), some chunks
// are split into several segments and some are not stored at all.
ChunkTable random_table(std::mt19937& rng, std::size_t element_size) {
  auto uniform = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  const Shape shape{uniform(1, 3), uniform(1, 3), uniform(1, 12), uniform(1, 40), uniform(1, 40)};
  const std::int64_t y = shape[3], x = shape[4];
  Shape chunk;
  switch (uniform(0, 3)) {
    case 0:
      chunk = {1, 1, 1, y, x};
      break;
    case 1:
      chunk = {1, 1, 1, uniform(std::max<std::int64_t>(1, y / 5), y),
               uniform(std::max<std::int64_t>(1, x / 5), x)};
      break;
    case 2:
      chunk = {1, 1, uniform(1, shape[2]), y, x};
      break;
    default:
      for (std::int64_t n : shape) chunk.push_back(uniform(std::max<std::int64_t>(1, n / 3), n));
  }
  return tile(shape, chunk, [&](const Box& b) {
    const auto decoded = static_cast<std::uint64_t>(b.count()) * element_size;
    std::vector<std::uint64_t> segments;
    if (uniform(0, 19) == 0) return segments;  // not stored: read as fill value
    const std::int64_t pieces = uniform(1, 3);
    for (std::int64_t i = 0; i < pieces; ++i) {
      // Between 1% and 120% of the decoded size, now and then far more (incompressible
      // noise in a badly chosen codec), so costs are skewed.
      double ratio = uniform(1, 120) / 100.0 * (uniform(0, 9) == 0 ? 20 : 1);
      segments.push_back(
          std::max<std::uint64_t>(1, static_cast<std::uint64_t>(decoded * ratio / pieces)));
    }
    return segments;
  });
}

Shape shape_of(const ChunkTable& t) { return t.chunks.back().box.stop; }

Box random_selection(std::mt19937& rng, const Shape& shape) {
  Box sel = Box::whole(shape);
  for (std::size_t i = 0; i < shape.size(); ++i) {
    std::uniform_int_distribution<std::int64_t> pick(0, shape[i] - 1);
    switch (std::uniform_int_distribution<int>(0, 2)(rng)) {
      case 0:  // the whole axis
        break;
      case 1:  // an index
        sel.start[i] = pick(rng);
        sel.stop[i] = sel.start[i] + 1;
        break;
      default: {
        std::int64_t a = pick(rng), b = pick(rng);
        sel.start[i] = std::min(a, b);
        sel.stop[i] = std::max(a, b) + 1;
      }
    }
  }
  return sel;
}

double read_cost(const ChunkRead& r, const CostModel& cost) {
  return cost.per_stored_byte * static_cast<double>(r.stored_bytes) +
         cost.per_decoded_byte * static_cast<double>(r.decoded_bytes);
}

// Selected chunks in chunk order: those whose box meets the selection.
std::vector<std::size_t> selected_chunks(const ChunkTable& table, const Box& sel) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < table.chunks.size(); ++i)
    if (intersect(table.chunks[i].box, sel)) out.push_back(i);
  return out;
}

std::vector<std::size_t> chunks_of(const RankPlan& rank) {
  std::vector<std::size_t> out;
  for (const auto& r : rank.reads) out.push_back(r.chunk);
  return out;
}

std::string describe(const ChunkTable& table, const Box& sel, int ranks, Strategy s) {
  std::ostringstream os;
  os << table.chunks.size() << " chunks tiling "
     << Box{{0, 0, 0, 0, 0}, shape_of(table)}.to_string() << " with first chunk "
     << table.chunks.front().box.to_string() << ", selection " << sel.to_string() << ", " << ranks
     << " ranks, strategy " << name(s);
  return os.str();
}

// What every plan must satisfy, whatever the strategy.
void check_plan(const ChunkTable& table, const Box& sel, std::size_t element_size, int ranks,
                const CostModel& cost, const Plan& plan) {
  EXPECT_EQ(plan.selection, sel);
  EXPECT_EQ(plan.element_size, element_size);
  ASSERT_EQ(plan.ranks.size(), static_cast<std::size_t>(ranks));

  std::vector<int> times_assigned(table.chunks.size(), 0);
  std::size_t reads = 0;
  std::int64_t elements = 0;
  for (std::size_t r = 0; r < plan.ranks.size(); ++r) {
    const RankPlan& rank = plan.ranks[r];
    std::uint64_t offset = 0, stored = 0, decoded = 0;
    double rank_cost = 0;
    for (const ChunkRead& read : rank.reads) {
      ASSERT_LT(read.chunk, table.chunks.size());
      const ChunkRef& chunk = table.chunks[read.chunk];
      ++times_assigned[read.chunk];
      auto region = intersect(chunk.box, sel);
      ASSERT_TRUE(region) << "chunk " << read.chunk << " does not meet the selection";
      EXPECT_EQ(read.region, *region) << "chunk " << read.chunk;
      EXPECT_EQ(read.dest, region->relative_to(sel.start)) << "chunk " << read.chunk;
      EXPECT_EQ(read.local_offset, offset) << "rank " << r << " chunk " << read.chunk;
      const auto region_bytes = static_cast<std::uint64_t>(region->count()) * element_size;
      const auto chunk_bytes = static_cast<std::uint64_t>(chunk.box.count()) * element_size;
      offset += region_bytes;
      EXPECT_LE(read.stored_bytes, chunk.stored_bytes()) << "chunk " << read.chunk;
      EXPECT_GE(read.decoded_bytes, region_bytes) << "chunk " << read.chunk;
      EXPECT_LE(read.decoded_bytes, chunk_bytes) << "chunk " << read.chunk;
      if (*region == chunk.box) {  // a whole chunk: all of it is read and decoded
        EXPECT_EQ(read.stored_bytes, chunk.stored_bytes()) << "chunk " << read.chunk;
        EXPECT_EQ(read.decoded_bytes, chunk_bytes) << "chunk " << read.chunk;
      }
      stored += read.stored_bytes;
      decoded += read.decoded_bytes;
      rank_cost += read_cost(read, cost);
      elements += region->count();
      ++reads;
    }
    EXPECT_EQ(rank.stored_bytes, stored) << "rank " << r;
    EXPECT_EQ(rank.decoded_bytes, decoded) << "rank " << r;
    EXPECT_NEAR(rank.cost, rank_cost, 1e-9 * std::max(1.0, rank_cost)) << "rank " << r;
  }
  for (std::size_t i = 0; i < table.chunks.size(); ++i) {
    const int expected = intersect(table.chunks[i].box, sel) ? 1 : 0;
    EXPECT_EQ(times_assigned[i], expected)
        << "chunk " << i << " " << table.chunks[i].box.to_string();
  }
  // The chunks tile the array, so the regions tile the selection.
  EXPECT_EQ(elements, sel.count());
  EXPECT_EQ(plan.chunk_count(), reads);

  double total = 0, most = 0;
  for (const auto& rank : plan.ranks) {
    total += rank.cost;
    most = std::max(most, rank.cost);
  }
  if (total > 0) {
    const double mean = total / ranks;
    EXPECT_NEAR(plan.imbalance(), most / mean - 1, 1e-9);
  }
}

void check_strategy(const ChunkTable& table, const Box& sel, int ranks, Strategy strategy,
                    const CostModel& cost, const Plan& plan) {
  const std::vector<std::size_t> selected = selected_chunks(table, sel);
  switch (strategy) {
    case Strategy::round_robin:
      // The i-th selected chunk goes to rank i % ranks, each rank in chunk order.
      for (int r = 0; r < ranks; ++r) {
        std::vector<std::size_t> expected;
        for (std::size_t i = r; i < selected.size(); i += ranks) expected.push_back(selected[i]);
        EXPECT_EQ(chunks_of(plan.ranks[r]), expected) << "rank " << r;
      }
      break;
    case Strategy::block: {
      // Contiguous runs in chunk order, rank 0 first, counts differing by at most one.
      std::vector<std::size_t> concatenated;
      std::size_t fewest = selected.size(), most = 0;
      for (const auto& rank : plan.ranks) {
        auto mine = chunks_of(rank);
        concatenated.insert(concatenated.end(), mine.begin(), mine.end());
        fewest = std::min(fewest, mine.size());
        most = std::max(most, mine.size());
      }
      EXPECT_EQ(concatenated, selected);
      EXPECT_LE(most - fewest, 1u);
      break;
    }
    case Strategy::bytes: {
      // Greedy balancing bound: no rank exceeds the mean by more than one chunk.
      double total = 0, biggest_read = 0, most = 0;
      for (const auto& rank : plan.ranks) {
        total += rank.cost;
        most = std::max(most, rank.cost);
        for (const auto& read : rank.reads)
          biggest_read = std::max(biggest_read, read_cost(read, cost));
      }
      EXPECT_LE(most, total / ranks + biggest_read + 1e-9 * std::max(1.0, total));
      break;
    }
  }
}

void expect_same_plan(const Plan& a, const Plan& b) {
  EXPECT_EQ(a.selection, b.selection);
  EXPECT_EQ(a.element_size, b.element_size);
  ASSERT_EQ(a.ranks.size(), b.ranks.size());
  for (std::size_t r = 0; r < a.ranks.size(); ++r) {
    const RankPlan &x = a.ranks[r], &y = b.ranks[r];
    EXPECT_EQ(x.stored_bytes, y.stored_bytes);
    EXPECT_EQ(x.decoded_bytes, y.decoded_bytes);
    EXPECT_EQ(x.cost, y.cost);
    ASSERT_EQ(x.reads.size(), y.reads.size()) << "rank " << r;
    for (std::size_t i = 0; i < x.reads.size(); ++i) {
      EXPECT_EQ(x.reads[i].chunk, y.reads[i].chunk);
      EXPECT_EQ(x.reads[i].region, y.reads[i].region);
      EXPECT_EQ(x.reads[i].dest, y.reads[i].dest);
      EXPECT_EQ(x.reads[i].local_offset, y.reads[i].local_offset);
      EXPECT_EQ(x.reads[i].stored_bytes, y.reads[i].stored_bytes);
      EXPECT_EQ(x.reads[i].decoded_bytes, y.reads[i].decoded_bytes);
    }
  }
}

// Plans `table` for every strategy and checks all properties, including determinism.
void plan_and_check(const ChunkTable& table, const Box& sel, std::size_t element_size, int ranks,
                    const CostModel& cost = {}) {
  for (Strategy s : kStrategies) {
    SCOPED_TRACE(describe(table, sel, ranks, s));
    Plan plan = make_plan(table, sel, element_size, ranks, s, cost);
    check_plan(table, sel, element_size, ranks, cost, plan);
    check_strategy(table, sel, ranks, s, cost, plan);
    expect_same_plan(plan, make_plan(table, sel, element_size, ranks, s, cost));
  }
}

TEST(Plan, PropertiesHoldOnRandomTables) {
  std::mt19937 rng(20240611);
  for (int trial = 0; trial < 1000; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const std::size_t element_size = std::size_t{1}
                                     << std::uniform_int_distribution<int>(0, 3)(rng);
    ChunkTable table = random_table(rng, element_size);
    Box sel = random_selection(rng, shape_of(table));
    const int ranks = std::uniform_int_distribution<int>(1, 10)(rng);
    CostModel cost;
    if (trial % 3 == 1) cost = {1.0, 0.0};  // storage-bound
    if (trial % 3 == 2) cost = {0.2, 3.0};  // decode-bound
    plan_and_check(table, sel, element_size, ranks, cost);
    if (HasFailure()) break;  // one reproducible failure is enough to read
  }
}

TEST(Plan, OnePlanePerChunk) {
  ChunkTable table = tile_raw({2, 3, 7, 33, 17}, {1, 1, 1, 33, 17}, 2);
  ASSERT_EQ(table.chunks.size(), 42u);
  for (int ranks : {1, 2, 3, 4, 5, 8, 42})
    plan_and_check(table, Box::whole({2, 3, 7, 33, 17}), 2, ranks);
}

TEST(Plan, RaggedYXTiles) {
  // 50x37 planes in 16x16 tiles: the last row and column of tiles are partial.
  const Shape shape{1, 2, 3, 50, 37};
  ChunkTable table = tile_raw(shape, {1, 1, 1, 16, 16}, 2);
  ASSERT_EQ(table.chunks.size(), 2u * 3 * 4 * 3);
  EXPECT_EQ(table.chunks[11].box, (Box{{0, 0, 0, 48, 32}, {1, 1, 1, 50, 37}}));
  for (int ranks : {1, 3, 7}) {
    plan_and_check(table, Box::whole(shape), 2, ranks);
    // A window straddling tile edges in Y and X.
    plan_and_check(table, Box{{0, 1, 1, 10, 14}, {1, 2, 3, 49, 35}}, 2, ranks);
  }
}

TEST(Plan, SeveralZPerChunk) {
  // Chunks of 4 planes; Z=3:6 takes the last plane of chunk 0 and two planes of chunk 1.
  const Shape shape{1, 1, 10, 8, 8};
  ChunkTable table = tile_raw(shape, {1, 1, 4, 8, 8}, 1);
  ASSERT_EQ(table.chunks.size(), 3u);
  const Box sel{{0, 0, 3, 0, 0}, {1, 1, 6, 8, 8}};
  Plan plan = make_plan(table, sel, 1, 1);
  ASSERT_EQ(plan.ranks.at(0).reads.size(), 2u);
  std::vector<ChunkRead> reads = plan.ranks[0].reads;
  std::sort(reads.begin(), reads.end(), [](auto& a, auto& b) { return a.chunk < b.chunk; });
  EXPECT_EQ(reads[0].chunk, 0u);
  EXPECT_EQ(reads[0].region, (Box{{0, 0, 3, 0, 0}, {1, 1, 4, 8, 8}}));
  EXPECT_EQ(reads[0].dest, (Box{{0, 0, 0, 0, 0}, {1, 1, 1, 8, 8}}));
  EXPECT_EQ(reads[1].chunk, 1u);
  EXPECT_EQ(reads[1].region, (Box{{0, 0, 4, 0, 0}, {1, 1, 6, 8, 8}}));
  EXPECT_EQ(reads[1].dest, (Box{{0, 0, 1, 0, 0}, {1, 1, 3, 8, 8}}));
  for (int ranks : {1, 2, 3}) plan_and_check(table, sel, 1, ranks);
}

TEST(Plan, SelectionThatSkipsPlanes) {
  // Z=3:7 of 20 planes: exactly planes 3..6 are read.
  const Shape shape{1, 1, 20, 32, 32};
  ChunkTable table = tile_raw(shape, {1, 1, 1, 32, 32}, 2);
  const Box sel{{0, 0, 3, 0, 0}, {1, 1, 7, 32, 32}};
  for (Strategy s : kStrategies)
    for (int ranks : {1, 2, 3, 4, 6}) {
      Plan plan = make_plan(table, sel, 2, ranks, s);
      std::vector<std::size_t> read;
      for (const auto& rank : plan.ranks)
        for (const auto& r : rank.reads) read.push_back(r.chunk);
      std::sort(read.begin(), read.end());
      EXPECT_EQ(read, (std::vector<std::size_t>{3, 4, 5, 6}))
          << name(s) << ", " << ranks << " ranks";
    }
  for (int ranks : {1, 2, 3, 4, 6}) plan_and_check(table, sel, 2, ranks);
}

TEST(Plan, OneChannelOfTCZYX) {
  // C=1 of a (2, 3, 5, 16, 16) array, one plane per chunk: the 10 planes of channel 1.
  const Shape shape{2, 3, 5, 16, 16};
  ChunkTable table = tile_raw(shape, {1, 1, 1, 16, 16}, 4);
  const Box sel{{0, 1, 0, 0, 0}, {2, 2, 5, 16, 16}};
  Plan plan = make_plan(table, sel, 4, 3);
  std::size_t reads = 0;
  for (const auto& rank : plan.ranks)
    for (const auto& r : rank.reads) {
      EXPECT_EQ(table.chunks[r.chunk].box.start[1], 1);
      EXPECT_EQ(r.dest.start[1], 0);
      EXPECT_EQ(r.dest.stop[1], 1);
      ++reads;
    }
  EXPECT_EQ(reads, 10u);
  for (int ranks : {1, 3, 4, 10, 11}) plan_and_check(table, sel, 4, ranks);
}

TEST(Plan, MoreRanksThanChunksLeavesRanksIdle) {
  const Shape shape{1, 1, 3, 10, 10};
  ChunkTable table = tile_raw(shape, {1, 1, 1, 10, 10}, 1);
  for (Strategy s : kStrategies) {
    Plan plan = make_plan(table, Box::whole(shape), 1, 8, s);
    ASSERT_EQ(plan.ranks.size(), 8u);
    std::size_t busy = 0;
    for (const auto& rank : plan.ranks) {
      EXPECT_LE(rank.reads.size(), 1u) << name(s);
      if (rank.reads.empty()) {
        EXPECT_EQ(rank.cost, 0.0);
        EXPECT_EQ(rank.stored_bytes, 0u);
        EXPECT_EQ(rank.decoded_bytes, 0u);
      } else {
        ++busy;
      }
    }
    EXPECT_EQ(busy, 3u) << name(s);
  }
  plan_and_check(table, Box::whole(shape), 1, 8);
  plan_and_check(table, Box{{0, 0, 1, 0, 0}, {1, 1, 2, 10, 10}}, 1, 8);
}

TEST(Plan, EqualChunksBalancePerfectly) {
  const Shape shape{1, 1, 12, 8, 8};
  ChunkTable table = tile_raw(shape, {1, 1, 1, 8, 8}, 2);
  for (int ranks : {1, 2, 3, 4, 6, 12}) {
    Plan plan = make_plan(table, Box::whole(shape), 2, ranks, Strategy::bytes);
    EXPECT_NEAR(plan.imbalance(), 0.0, 1e-12) << ranks << " ranks";
    for (const auto& rank : plan.ranks) EXPECT_EQ(rank.reads.size(), 12u / ranks);
  }
}

// Costs 9, 1, 1, ..., 1 (nine ones) over 2 ranks: balancing by bytes must put the big chunk
// alone against the nine small ones; counting chunks (block) cannot.
TEST(Plan, BytesBalancesSkewedChunks) {
  const Shape shape{1, 1, 10, 4, 4};
  ChunkTable table = tile(shape, {1, 1, 1, 4, 4}, [](const Box& b) {
    return std::vector<std::uint64_t>{b.start[2] == 0 ? 9000u : 1000u};
  });
  const CostModel storage_only{1.0, 0.0};
  Plan bytes = make_plan(table, Box::whole(shape), 1, 2, Strategy::bytes, storage_only);
  EXPECT_NEAR(bytes.imbalance(), 0.0, 1e-12);
  Plan block = make_plan(table, Box::whole(shape), 1, 2, Strategy::block, storage_only);
  EXPECT_GT(block.imbalance(), 0.1);
}

TEST(Plan, EmptySelectionThrows) {
  const Shape shape{1, 1, 4, 8, 8};
  ChunkTable table = tile_raw(shape, {1, 1, 1, 8, 8}, 1);
  EXPECT_THROW(make_plan(table, Box{{0, 0, 2, 0, 0}, {1, 1, 2, 8, 8}}, 1, 2), Error);
  EXPECT_THROW(make_plan(table, Box{{0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}}, 1, 2), Error);
}

TEST(Plan, FewerThanOneRankThrows) {
  const Shape shape{1, 1, 4, 8, 8};
  ChunkTable table = tile_raw(shape, {1, 1, 1, 8, 8}, 1);
  for (Strategy s : kStrategies) {
    EXPECT_THROW(make_plan(table, Box::whole(shape), 1, 0, s), Error);
    EXPECT_THROW(make_plan(table, Box::whole(shape), 1, -3, s), Error);
  }
}

TEST(Strategy, NamesRoundTrip) {
  EXPECT_EQ(parse_strategy("bytes"), Strategy::bytes);
  EXPECT_EQ(parse_strategy("block"), Strategy::block);
  EXPECT_EQ(parse_strategy("round-robin"), Strategy::round_robin);
  for (Strategy s : kStrategies) EXPECT_EQ(parse_strategy(name(s)), s);
  EXPECT_THROW(parse_strategy("random"), Error);
  EXPECT_THROW(parse_strategy(""), Error);
}

// ------------------------------------------------------------------ slab plans

// What every slab plan must satisfy: rank r's reads fill exactly its planes, once each,
// from chunks that hold them, at the offsets of its own C-order buffer.
void check_slab_plan(const ChunkTable& table, const Box& sel, std::size_t element_size, int ranks,
                     const SlabPlan& slab) {
  const Shape shape = sel.shape();
  const std::int64_t planes = plane_count(shape, 2);
  ASSERT_EQ(slab.plane_bounds.size(), static_cast<std::size_t>(ranks) + 1);
  EXPECT_EQ(slab.plane_bounds.front(), 0);
  EXPECT_EQ(slab.plane_bounds.back(), planes);
  ASSERT_EQ(slab.plan.ranks.size(), static_cast<std::size_t>(ranks));
  const std::int64_t plane_elements = shape[3] * shape[4];
  std::vector<int> written(static_cast<std::size_t>(sel.count()), 0);
  for (int r = 0; r < ranks; ++r) {
    const std::int64_t begin = slab.plane_bounds[r], end = slab.plane_bounds[r + 1];
    ASSERT_LE(begin, end);
    for (const ChunkRead& read : slab.plan.ranks[r].reads) {
      ASSERT_LT(read.chunk, table.chunks.size());
      EXPECT_TRUE(table.chunks[read.chunk].box.contains(read.region)) << read.region.to_string();
      EXPECT_EQ(read.region.relative_to(sel.start), read.dest);
      EXPECT_EQ(read.decoded_bytes, static_cast<std::uint64_t>(read.dest.count()) * element_size);
      // Walk the destination's elements: each inside this rank's planes, written once.
      std::vector<std::int64_t> at = read.dest.start;
      std::int64_t first_linear = -1;
      for (std::int64_t n = 0; n < read.dest.count(); ++n) {
        std::int64_t linear = 0;
        for (std::size_t i = 0; i < shape.size(); ++i) linear = linear * shape[i] + at[i];
        if (first_linear < 0) first_linear = linear;
        const std::int64_t plane = linear / plane_elements;
        ASSERT_TRUE(plane >= begin && plane < end) << "rank " << r << " reads plane " << plane;
        ++written[static_cast<std::size_t>(linear)];
        for (std::size_t i = shape.size(); i-- > 0;) {
          if (++at[i] < read.dest.stop[i]) break;
          at[i] = read.dest.start[i];
        }
      }
      EXPECT_EQ(read.local_offset, static_cast<std::uint64_t>(first_linear - begin * plane_elements) * element_size);
    }
  }
  // Every selected element that a stored chunk holds is written exactly once.
  for (std::size_t i = 0; i < written.size(); ++i) ASSERT_LE(written[i], 1) << "element " << i << " twice";
  std::int64_t covered = 0;
  for (const auto c : selected_chunks(table, sel)) covered += intersect(table.chunks[c].box, sel)->count();
  EXPECT_EQ(std::count(written.begin(), written.end(), 1), covered);
}

TEST(SlabPlan, PropertiesHoldOnRandomTables) {
  std::mt19937 rng(20261123);
  for (int trial = 0; trial < 500; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const std::size_t element_size = std::size_t{1} << std::uniform_int_distribution<int>(0, 3)(rng);
    ChunkTable table = random_table(rng, element_size);
    Box sel = random_selection(rng, shape_of(table));
    const int ranks = std::uniform_int_distribution<int>(1, 10)(rng);
    SCOPED_TRACE(describe(table, sel, ranks, Strategy::bytes));
    const SlabPlan plan = make_slab_plan(table, sel, element_size, 2, ranks);
    check_slab_plan(table, sel, element_size, ranks, plan);
    const SlabPlan again = make_slab_plan(table, sel, element_size, 2, ranks);
    EXPECT_EQ(again.plane_bounds, plan.plane_bounds);
    if (HasFailure()) break;
  }
}

TEST(SlabPlan, EqualPlanesSplitEvenlyAndOddCountsDifferByOne) {
  const ChunkTable table = tile_raw({1, 1, 7, 10, 10}, {1, 1, 1, 10, 10}, 2);
  const SlabPlan plan = make_slab_plan(table, Box::whole({1, 1, 7, 10, 10}), 2, 2, 3);
  for (int r = 0; r < 3; ++r) {
    const auto planes = plan.plane_bounds[r + 1] - plan.plane_bounds[r];
    EXPECT_TRUE(planes == 2 || planes == 3) << "rank " << r << " has " << planes;
  }
}

TEST(SlabPlan, CutsFallBetweenChunksSpanningSeveralPlanes) {
  // 12 planes in chunks of 4 Z: 3 ranks get one chunk each, nothing is read twice.
  const ChunkTable table = tile_raw({1, 1, 12, 8, 8}, {1, 1, 4, 8, 8}, 1);
  const SlabPlan plan = make_slab_plan(table, Box::whole({1, 1, 12, 8, 8}), 1, 2, 3);
  EXPECT_EQ(plan.plane_bounds, (std::vector<std::int64_t>{0, 4, 8, 12}));
  for (const auto& rank : plan.plan.ranks) EXPECT_EQ(rank.reads.size(), 1u);
  // With more ranks than chunks a chunk is shared: each rank decodes its own planes of it.
  const SlabPlan shared = make_slab_plan(table, Box::whole({1, 1, 12, 8, 8}), 1, 2, 6);
  for (int r = 0; r < 6; ++r) EXPECT_EQ(shared.plane_bounds[r + 1] - shared.plane_bounds[r], 2);
}

TEST(SlabPlan, MorePlanesThanRanksLeavesNoneIdleAndMoreRanksThanPlanesDoes) {
  const ChunkTable table = tile_raw({2, 5, 5}, {1, 5, 5}, 1);
  const SlabPlan plan = make_slab_plan(table, Box::whole({2, 5, 5}), 1, 2, 4);
  int idle = 0;
  for (int r = 0; r < 4; ++r) idle += plan.plane_bounds[r + 1] == plan.plane_bounds[r];
  EXPECT_EQ(idle, 2);
  EXPECT_THROW(make_slab_plan(table, Box{{0, 0, 0}, {0, 5, 5}}, 1, 2, 2), Error);
}

// ------------------------------------------------------------------ streamed windows

// Windows over all planes are a slab plan with one "rank" per window: the same contract.
TEST(PlaneChunks, WindowsPartitionThePlanesWithinTheirLimits) {
  std::mt19937 rng(20261130);
  for (int trial = 0; trial < 300; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const std::size_t element_size = std::size_t{1} << std::uniform_int_distribution<int>(0, 3)(rng);
    ChunkTable table = random_table(rng, element_size);
    Box sel = random_selection(rng, shape_of(table));
    const PlaneChunks chunks(table, sel, element_size, 2, {});
    const std::int64_t max_planes = std::uniform_int_distribution<std::int64_t>(1, 6)(rng);
    const std::int64_t group = std::uniform_int_distribution<std::int64_t>(1, 3)(rng);
    const std::vector<std::int64_t> bounds = chunks.windows(0, chunks.planes(), max_planes, group);
    SlabPlan windows;
    windows.plane_bounds = bounds;
    windows.plan.selection = sel;
    windows.plan.element_size = element_size;
    for (std::size_t w = 0; w + 1 < bounds.size(); ++w) {
      EXPECT_LT(bounds[w], bounds[w + 1]);
      EXPECT_TRUE(chunks.group_allows(bounds[w + 1], group)) << "cut before plane " << bounds[w + 1];
      // Over the limit only when no allowed cut lies within it.
      if (bounds[w + 1] - bounds[w] > max_planes) {
        for (std::int64_t p = bounds[w] + 1; p <= bounds[w] + max_planes; ++p)
          EXPECT_FALSE(chunks.group_allows(p, group)) << "window [" << bounds[w] << ", " << bounds[w + 1] << ")";
      }
      windows.plan.ranks.push_back(chunks.reads(bounds[w], bounds[w + 1]));
    }
    check_slab_plan(table, sel, element_size, static_cast<int>(bounds.size()) - 1, windows);
    if (HasFailure()) break;
  }
}

TEST(PlaneChunks, WindowsEndBetweenChunksSoEachIsDecodedOnce) {
  // 40 planes in chunks of 8 along Z; windows of up to 10 planes end at the chunk boundaries.
  const ChunkTable table = tile_raw({1, 1, 40, 8, 8}, {1, 1, 8, 8, 8}, 1);
  const PlaneChunks chunks(table, Box::whole({1, 1, 40, 8, 8}), 1, 2, {});
  EXPECT_EQ(chunks.windows(0, 40, 10), (std::vector<std::int64_t>{0, 8, 16, 24, 32, 40}));
  // Within a rank's range that starts inside a chunk.
  EXPECT_EQ(chunks.windows(5, 40, 10), (std::vector<std::int64_t>{5, 8, 16, 24, 32, 40}));
}

TEST(PlaneChunks, GroupsStayOnOneRankAndInOneWindow) {
  // TZ = 2 x 10 planes; groups of 4 along Z: cuts only at z = 0, 4, 8 of each T.
  const ChunkTable table = tile_raw({2, 10, 4, 4}, {1, 1, 4, 4}, 1);
  const PlaneChunks chunks(table, Box::whole({2, 10, 4, 4}), 1, 2, {});
  for (std::int64_t p = 0; p <= 20; ++p)
    EXPECT_EQ(chunks.group_allows(p, 4), p % 10 == 0 || p % 10 == 4 || p % 10 == 8 || p == 20) << p;
  for (int ranks = 1; ranks <= 7; ++ranks)
    for (std::int64_t cut : chunks.rank_bounds(ranks, 4)) EXPECT_TRUE(chunks.group_allows(cut, 4)) << cut;
  // A window smaller than a group still holds the whole group.
  EXPECT_EQ(chunks.windows(0, 10, 1, 4), (std::vector<std::int64_t>{0, 4, 8, 10}));
}

}  // namespace
}  // namespace strata
