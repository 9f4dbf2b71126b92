#include "array/memory_limit.hpp"

#include <limits>

#include <gtest/gtest.h>

namespace strata {
namespace {

ChunkRef stored_chunk(Box box) { return ChunkRef{std::move(box), 0, 0, {{0, 100}}, {}, 0, 0}; }

RankPlan reads_of(std::initializer_list<std::pair<std::size_t, Box>> reads) {
  RankPlan plan;
  for (const auto& [chunk, region] : reads) plan.reads.push_back(ChunkRead{chunk, region, region, 0, 0, 0});
  return plan;
}

TEST(ScratchBytes, WholeChunksDecodeInPlaceAndPartsThroughScratch) {
  ChunkTable table;
  table.chunks = {stored_chunk({{0, 0}, {4, 4}}), stored_chunk({{0, 4}, {4, 8}})};
  EXPECT_EQ(scratch_bytes(table, reads_of({{0, {{0, 0}, {4, 4}}}}), 2, 4), 0u);
  EXPECT_EQ(scratch_bytes(table, reads_of({{0, {{0, 0}, {1, 4}}}}), 2, 4), 16u * 2);
  EXPECT_EQ(scratch_bytes(table, reads_of({{0, {{0, 0}, {1, 4}}}, {1, {{0, 4}, {1, 8}}}}), 2, 4), 2u * 16 * 2)
      << "one chunk's scratch per decode thread";
}

TEST(ScratchBytes, AnEdgeChunkOfARegularGridDecodesAtTheGridsShape) {
  // A 4x6 array in chunks of 65536x65536 (a 200-byte hostile .zarray): its one chunk is clipped
  // to 4x6 but stored, and decoded, whole.
  ChunkTable table;
  table.chunk_shape = {65536, 65536};
  table.chunks = {stored_chunk({{0, 0}, {4, 6}})};
  EXPECT_EQ(scratch_bytes(table, reads_of({{0, {{0, 0}, {4, 6}}}}), 2, 1), 65536ull * 65536 * 2);
}

TEST(ScratchBytes, ChunkShapesBeyond64BitsCountAsTheLargestNumber) {
  ChunkTable table;
  table.chunk_shape = {std::int64_t{1} << 62, std::int64_t{1} << 62};
  table.chunks = {stored_chunk({{0, 0}, {4, 6}})};
  EXPECT_EQ(scratch_bytes(table, reads_of({{0, {{0, 0}, {4, 6}}}}), 2, 1), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(clamped(1e30L), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(clamped(12.0L), 12u);
}

TEST(ScratchBytes, ChunksNotStoredNeedNone) {
  ChunkTable table;
  table.chunk_shape = {65536, 65536};
  table.chunks = {ChunkRef{{{0, 0}, {4, 6}}, 0, 0, {}, {}, 0, 0}};
  EXPECT_EQ(scratch_bytes(table, reads_of({{0, {{0, 0}, {1, 1}}}}), 2, 1), 0u);
}

TEST(ScratchBytes, TablesDecodingInPartsNeedOnePart) {
  ChunkTable table;  // a TIFF strip of 64 rows decoded 8 rows at a time
  table.chunks = {stored_chunk({{0, 0}, {64, 100}})};
  table.partial_block = {8, 100};
  EXPECT_EQ(scratch_bytes(table, reads_of({{0, {{3, 0}, {4, 100}}}}), 1, 1), 800u);
}

}  // namespace
}  // namespace strata
