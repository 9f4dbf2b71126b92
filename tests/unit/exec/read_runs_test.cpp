// exec::read_runs: neighbouring chunks of a shared file make one run (one read), in file
// order, within the gap and size limits; everything else is read alone; every read is in
// exactly one run, and runs keep the plan's order of their first reads.
#include "exec/read_runs.hpp"

#include <gtest/gtest.h>

#include <set>

namespace strata::exec {
namespace {

// A table whose chunk i is stored at segments[i] of file files[i] (size 0: not stored).
struct Layout {
  ChunkTable table;
  std::vector<ChunkRead> reads;

  Layout(const std::vector<std::uint32_t>& files, const std::vector<ByteRange>& segments) {
    for (std::size_t i = 0; i < files.size(); ++i) {
      ChunkRef c;
      c.box = Box{{static_cast<std::int64_t>(i)}, {static_cast<std::int64_t>(i) + 1}};
      c.file = files[i];
      if (segments[i].size != 0) c.segments = {segments[i]};
      table.chunks.push_back(c);
      ChunkRead r;
      r.chunk = i;
      reads.push_back(r);
    }
  }
};

bool all_shared(std::uint32_t) { return true; }

std::vector<std::vector<std::size_t>> groups(const std::vector<ReadRun>& runs) {
  std::vector<std::vector<std::size_t>> g;
  for (const auto& r : runs) g.push_back(r.reads);
  return g;
}

TEST(ReadRuns, AdjacentChunksOfOneFileAreOneRunSpanningThem) {
  const Layout l({1, 1, 1}, {{0, 100}, {100, 50}, {150, 10}});
  const auto runs = read_runs(l.table, l.reads, all_shared);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].reads, (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(runs[0].file, 1u);
  EXPECT_EQ(runs[0].bytes, (ByteRange{0, 160}));
}

TEST(ReadRuns, ChunksAreTakenInFileOrderWhateverThePlanOrder) {
  // Inner chunks of two shards interleaved in the plan (C order over the whole array).
  const Layout l({1, 2, 1, 2}, {{200, 10}, {0, 10}, {210, 10}, {10, 10}});
  const auto runs = read_runs(l.table, l.reads, all_shared);
  EXPECT_EQ(groups(runs), (std::vector<std::vector<std::size_t>>{{0, 2}, {1, 3}}));
  EXPECT_EQ(runs[0].bytes, (ByteRange{200, 20}));
  EXPECT_EQ(runs[1].bytes, (ByteRange{0, 20}));
}

TEST(ReadRuns, GapsAndSizeLimitCutRuns) {
  const Layout l({1, 1, 1, 1}, {{0, 10}, {20, 10}, {1000, 10}, {1010, 100}});
  RunLimits limits;
  limits.max_gap = 10;
  limits.max_bytes = 100;
  const auto runs = read_runs(l.table, l.reads, all_shared, limits);
  // 0 and 1 are 10 apart: one run; 2 is 970 after 1; 3 would make 2's run 110 bytes.
  EXPECT_EQ(groups(runs), (std::vector<std::vector<std::size_t>>{{0, 1}, {2}, {3}}));
  EXPECT_EQ(runs[0].bytes, (ByteRange{0, 30}));
  EXPECT_EQ(runs[1].bytes.size, 0u) << "a run of one chunk is read as usual";
  EXPECT_EQ(runs[2].bytes.size, 0u);
}

TEST(ReadRuns, OverlappingOrRepeatedSegmentsAreNotJoined) {
  // Two reads of one chunk (a slab plan's chunk read by two regions) and an overlap.
  Layout l({1, 1, 1}, {{0, 100}, {50, 100}, {200, 10}});
  l.reads.push_back(l.reads[0]);
  const auto runs = read_runs(l.table, l.reads, all_shared);
  std::multiset<std::size_t> seen;
  for (const auto& r : runs) {
    seen.insert(r.reads.begin(), r.reads.end());
    if (r.bytes.size == 0) continue;
    std::uint64_t end = 0;
    for (const std::size_t i : r.reads) {
      const ByteRange& s = l.table.chunks[l.reads[i].chunk].segments[0];
      EXPECT_GE(s.offset, end) << "segments of one run do not overlap";
      end = s.offset + s.size;
      EXPECT_LE(end, r.bytes.offset + r.bytes.size);
    }
  }
  EXPECT_EQ(seen, (std::multiset<std::size_t>{0, 1, 2, 3}));
}

TEST(ReadRuns, UnsharedFilesUnstoredAndMultiSegmentChunksAreReadAlone) {
  Layout l({1, 3, 1, 1}, {{0, 10}, {10, 10}, {0, 0}, {20, 10}});
  l.table.chunks[0].segments.push_back({100, 5});  // a chunk in two pieces (TIFF strips)
  const auto runs = read_runs(l.table, l.reads, [](std::uint32_t f) { return f != 3; });
  EXPECT_EQ(groups(runs), (std::vector<std::vector<std::size_t>>{{0}, {1}, {2}, {3}}));
  for (const auto& r : runs) EXPECT_EQ(r.bytes.size, 0u);
}

TEST(ReadRuns, RunsComeInThePlanOrderOfTheirFirstRead) {
  const Layout l({2, 1, 2, 1, 5}, {{0, 10}, {0, 10}, {10, 10}, {10, 10}, {0, 1}});
  const auto runs = read_runs(l.table, l.reads, all_shared);
  EXPECT_EQ(groups(runs), (std::vector<std::vector<std::size_t>>{{0, 2}, {1, 3}, {4}}));
  EXPECT_TRUE(read_runs(ChunkTable{}, {}, all_shared).empty());
}

}  // namespace
}  // namespace strata::exec
