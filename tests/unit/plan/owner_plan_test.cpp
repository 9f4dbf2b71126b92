// Owner-aware planning (plan/owner_plan.hpp), checked as properties over seeded random
// tables and layouts, and on small cases built by hand: every rank's box is covered exactly
// once by what it decodes in place and what it receives; no element of a chunk is read twice
// (a chunk is read whole, once, unless it decodes in parts), always by a rank owning part of
// the read; only what a reader does not own travels.
#include "plan/owner_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "strata/error.hpp"
#include "strata/grid.hpp"
#include "strata/layout.hpp"

namespace strata {
namespace {

// A regular grid of raw chunks over `shape`, C order, decoding in parts of `partial_block`.
ChunkTable grid_table(const Shape& shape, const Shape& chunk, std::size_t element_size, Shape partial_block = {}) {
  ChunkTable table;
  table.partial_block = std::move(partial_block);
  table.files = {"test.zarr"};
  table.codecs = {"raw"};
  const ChunkGrid grid{shape, chunk};
  const Box positions = Box::whole(grid.extent());
  Index at = positions.start;
  do {
    ChunkRef c;
    c.box = grid.box(at);
    c.segments.push_back({0, static_cast<std::uint64_t>(c.box.count()) * element_size});
    table.chunks.push_back(std::move(c));
  } while (next_in(at, positions));
  return table;
}

// The plan's guarantees for one table, selection and set of owned boxes.
void expect_owner_plan(const OwnerPlan& p, const ChunkTable& table, const Box& selection, std::size_t element_size) {
  const auto& owned = p.owned;
  const int ranks = static_cast<int>(owned.size());
  std::map<std::size_t, std::vector<Box>> reads_of_chunk;
  std::uint64_t not_owned = 0;
  std::uint64_t staging_total = 0;
  bool disjoint = true;
  for (int a = 0; a < ranks; ++a)
    for (int b = a + 1; b < ranks; ++b)
      if (!owned[a].empty() && !owned[b].empty() && intersect(owned[a], owned[b])) disjoint = false;

  for (int r = 0; r < ranks; ++r) {
    std::uint64_t staged_at = 0;
    for (const ChunkRead& read : p.plan.ranks[r].reads) {
      std::vector<Box>& earlier = reads_of_chunk[read.chunk];
      EXPECT_TRUE(earlier.empty() || !table.partial_block.empty()) << "chunk " << read.chunk << " read twice";
      for (const Box& other : earlier)
        EXPECT_FALSE(intersect(other, read.region)) << "chunk " << read.chunk << ": " << other.to_string() << " read twice";
      earlier.push_back(read.region);
      EXPECT_TRUE(table.chunks[read.chunk].box.contains(read.region));
      EXPECT_EQ(read.region.relative_to(selection.start), read.dest);
      EXPECT_EQ(read.decoded_bytes, static_cast<std::uint64_t>(read.dest.count()) * element_size);
      // The reader owns part of the read.
      auto mine = owned[r].empty() ? std::nullopt : intersect(read.dest, owned[r]);
      ASSERT_TRUE(mine) << "rank " << r << " reads " << read.dest.to_string() << " and owns none of it";
      not_owned += read.decoded_bytes - static_cast<std::uint64_t>(mine->count()) * element_size;
      if (!owned[r].contains(read.dest)) {
        EXPECT_EQ(read.local_offset, staged_at);
        staged_at += read.decoded_bytes;
      }
    }
    EXPECT_EQ(p.staging_bytes[r], staged_at);
    staging_total += staged_at;
  }
  EXPECT_EQ(p.bytes_not_owned, not_owned);

  // Each rank's box: its in-place reads and its incoming pieces cover it exactly once.
  std::uint64_t travelling = 0;
  for (int r = 0; r < ranks; ++r) {
    std::vector<Box> parts;
    for (const ChunkRead& read : p.plan.ranks[r].reads)
      if (owned[r].contains(read.dest)) parts.push_back(read.dest);
    for (const Piece& piece : p.pieces) {
      if (piece.to != r) continue;
      const ChunkRead& read = p.plan.ranks[piece.from].reads.at(piece.read);
      EXPECT_TRUE(read.dest.contains(piece.box));
      EXPECT_TRUE(piece.from != piece.to || !owned[r].contains(read.dest)) << "an in-place read also travels";
      parts.push_back(piece.box);
      if (piece.from != piece.to) travelling += static_cast<std::uint64_t>(piece.box.count()) * element_size;
    }
    std::int64_t covered = 0;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      EXPECT_TRUE(owned[r].contains(parts[i])) << parts[i].to_string() << " outside rank " << r << "'s box";
      covered += parts[i].count();
      for (std::size_t j = i + 1; j < parts.size(); ++j)
        EXPECT_FALSE(intersect(parts[i], parts[j])) << parts[i].to_string() << " and " << parts[j].to_string();
    }
    EXPECT_EQ(covered, owned[r].empty() ? 0 : owned[r].count()) << "rank " << r;
  }
  // With disjoint boxes, what readers decoded but do not own travels, all of it when the
  // boxes tile the selection (else the gaps a read's bounding box spans stay behind).
  std::int64_t owned_count = 0;
  for (const Box& b : owned) owned_count += b.empty() ? 0 : b.count();
  if (disjoint) {
    EXPECT_LE(travelling, p.bytes_not_owned);
  }
  if (disjoint && owned_count == selection.count()) {
    EXPECT_EQ(travelling, p.bytes_not_owned);
  }
  // Pieces leave each sender in the order of its reads.
  for (std::size_t i = 1; i < p.pieces.size(); ++i) {
    const Piece &a = p.pieces[i - 1], &b = p.pieces[i];
    EXPECT_TRUE(a.from < b.from || (a.from == b.from && a.read <= b.read));
  }
}

TEST(OwnerPlan, SlabAlongChunkRowsMovesNothing) {
  const ChunkTable table = grid_table({4, 8}, {2, 8}, 2);
  const Box sel = Box::whole({4, 8});
  const OwnerPlan p = make_owner_plan(table, sel, 2, Layout::slab(0).boxes_for({4, 8}, 2));
  expect_owner_plan(p, table, sel, 2);
  EXPECT_TRUE(p.pieces.empty());
  EXPECT_EQ(p.bytes_not_owned, 0u);
  ASSERT_EQ(p.plan.ranks.size(), 2u);
  EXPECT_EQ(p.plan.ranks[0].reads.size(), 1u);
  EXPECT_EQ(p.plan.ranks[1].reads.size(), 1u);
}

TEST(OwnerPlan, SlabAcrossChunksSplitsTiesByCostAndMovesHalf) {
  // Four chunks of 2 rows; X cut in two: every chunk half owned by each rank.
  const ChunkTable table = grid_table({8, 8}, {2, 8}, 1);
  const Box sel = Box::whole({8, 8});
  const OwnerPlan p = make_owner_plan(table, sel, 1, Layout::slab(1).boxes_for({8, 8}, 2));
  expect_owner_plan(p, table, sel, 1);
  EXPECT_EQ(p.plan.ranks[0].reads.size(), 2u);
  EXPECT_EQ(p.plan.ranks[1].reads.size(), 2u);
  EXPECT_EQ(p.bytes_not_owned, 32u);
  EXPECT_EQ(p.staging_bytes[0], 32u);  // no read fits a half: all staged
}

TEST(OwnerPlan, ChunksCutAcrossAreSharedOutByLoad) {
  // Rows cut 3:3:2 over chunks of 4 rows (Zarr slab:Y over larger chunks): owning most would
  // give rank 1 nothing; charging moved bytes to the load lets every rank read.
  const ChunkTable table = grid_table({4, 8, 8}, {1, 4, 4}, 1);
  const Box sel = Box::whole({4, 8, 8});
  const OwnerPlan p = make_owner_plan(table, sel, 1, Layout::slab(1).boxes_for({4, 8, 8}, 3));
  expect_owner_plan(p, table, sel, 1);
  for (int r = 0; r < 3; ++r) EXPECT_FALSE(p.plan.ranks[r].reads.empty()) << "rank " << r;
  EXPECT_LT(p.plan.imbalance(), 0.5);
}

TEST(OwnerPlan, PartialBlocksLetOwnersReadTheirOwnStrips) {
  // Pages of 8 rows in strips of 2; a Y slab over 3 ranks cuts rows 3 (inside strip 1) and 6
  // (between strips): only strip 1's foreign row travels, once per page.
  const ChunkTable table = grid_table({5, 8, 6}, {1, 8, 6}, 1, {1, 2, 6});
  const Box sel = Box::whole({5, 8, 6});
  const OwnerPlan p = make_owner_plan(table, sel, 1, Layout::slab(1).boxes_for({5, 8, 6}, 3));
  expect_owner_plan(p, table, sel, 1);
  EXPECT_EQ(p.bytes_not_owned, 5u * 1 * 6);
  for (int r = 0; r < 3; ++r) EXPECT_GE(p.plan.ranks[r].reads.size(), 5u) << "rank " << r;
}

TEST(OwnerPlan, RowAddressableChunksMoveNothing) {
  // Raw planes (NPY, HDF5 contiguous, uncompressed TIFF strips): any box reads alone, so a
  // 2x2 block grid over the planes moves nothing.
  const ChunkTable table = grid_table({3, 9, 7}, {1, 9, 7}, 2, {1, 1, 1});
  const Box sel{{0, 1, 1}, {3, 9, 7}};
  const OwnerPlan p = make_owner_plan(table, sel, 2, Layout::blocks({1, 2, 2}).boxes_for(sel.shape(), 4));
  expect_owner_plan(p, table, sel, 2);
  EXPECT_EQ(p.bytes_not_owned, 0u);
  EXPECT_TRUE(p.pieces.empty());
}

TEST(OwnerPlan, ChunksNobodyOwnsAreNotReadAndReadsShrinkToWhatIsOwned) {
  const ChunkTable table = grid_table({6, 6}, {3, 3}, 1);
  const Box sel = Box::whole({6, 6});
  // Rank 0 owns a corner of chunk (0,0); rank 1 nothing; chunks (0,1), (1,0), (1,1) unowned.
  const std::vector<Box> owned{Box{{1, 1}, {2, 3}}, Box{{0, 0}, {0, 0}}};
  const OwnerPlan p = make_owner_plan(table, sel, 1, owned);
  expect_owner_plan(p, table, sel, 1);
  ASSERT_EQ(p.plan.ranks[0].reads.size(), 1u);
  EXPECT_EQ(p.plan.ranks[0].reads[0].dest, (Box{{1, 1}, {2, 3}}));
  EXPECT_TRUE(p.plan.ranks[1].reads.empty());
  EXPECT_TRUE(p.pieces.empty());
}

TEST(OwnerPlan, OverlappingBoxesEachReceiveTheirCopy) {
  const ChunkTable table = grid_table({4, 4}, {4, 4}, 1);
  const Box sel = Box::whole({4, 4});
  const std::vector<Box> owned{Box{{0, 0}, {4, 3}}, Box{{0, 1}, {4, 4}}, Box{{0, 0}, {4, 4}}};
  const OwnerPlan p = make_owner_plan(table, sel, 1, owned);
  expect_owner_plan(p, table, sel, 1);
  ASSERT_EQ(p.plan.ranks[2].reads.size(), 1u);  // the only one owning all of it
  EXPECT_EQ(p.pieces.size(), 2u);
}

TEST(OwnerPlan, RandomTablesLayoutsAndSelections) {
  std::mt19937 rng(20261130);
  auto uniform = [&](std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng); };
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t rank = static_cast<std::size_t>(uniform(1, 4));
    Shape shape(rank), chunk(rank);
    Shape partial;  // a third of the tables decode in parts
    for (std::size_t i = 0; i < rank; ++i) shape[i] = uniform(1, 17), chunk[i] = uniform(1, shape[i]);
    if (uniform(0, 2) == 0)
      for (std::size_t i = 0; i < rank; ++i) partial.push_back(uniform(1, chunk[i]));
    const std::size_t element = static_cast<std::size_t>(1) << uniform(0, 3);
    const ChunkTable table = grid_table(shape, chunk, element, partial);
    Box sel = Box::whole(shape);
    for (std::size_t i = 0; i < rank; ++i) {
      sel.start[i] = uniform(0, shape[i] - 1);
      sel.stop[i] = uniform(sel.start[i] + 1, shape[i]);
    }
    const int ranks = static_cast<int>(uniform(1, 5));
    const Shape sel_shape = sel.shape();
    Layout layout;
    switch (uniform(0, 2)) {
      case 0: layout = Layout::slab(static_cast<int>(uniform(0, static_cast<std::int64_t>(rank) - 1))); break;
      case 1: layout = Layout::blocks(); break;
      default: {
        std::vector<Box> boxes;
        for (int r = 0; r < ranks; ++r) {
          Box b = Box::whole(sel_shape);
          for (std::size_t i = 0; i < rank; ++i) {
            b.start[i] = uniform(0, sel_shape[i]);
            b.stop[i] = uniform(b.start[i], sel_shape[i]);  // may be empty
          }
          boxes.push_back(b);
        }
        layout = Layout::boxes(boxes);
      }
    }
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + layout.to_string() + " over " + std::to_string(ranks) +
                 " ranks, selection " + sel.to_string());
    const OwnerPlan p = make_owner_plan(table, sel, element, layout.boxes_for(sel_shape, ranks));
    expect_owner_plan(p, table, sel, element);
    if (HasFailure()) break;
  }
}

TEST(OwnerPlan, RejectsEmptySelectionsAndNoRanks) {
  const ChunkTable table = grid_table({4}, {2}, 1);
  EXPECT_THROW(make_owner_plan(table, Box{{1}, {1}}, 1, {Box::whole({4})}), Error);
  EXPECT_THROW(make_owner_plan(table, Box::whole({4}), 1, {}), Error);
}

}  // namespace
}  // namespace strata
