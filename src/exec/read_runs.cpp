#include "exec/read_runs.hpp"

#include <algorithm>
#include <tuple>

namespace strata::exec {

std::vector<ReadRun> read_runs(const ChunkTable& table, const std::vector<ChunkRead>& reads,
                               const std::function<bool(std::uint32_t file)>& shared, const RunLimits& limits) {
  std::vector<ReadRun> runs;
  std::vector<std::size_t> candidates;  // reads that may share a fetch with others
  for (std::size_t i = 0; i < reads.size(); ++i) {
    const ChunkRef& c = table.chunks.at(reads[i].chunk);
    if (c.segments.size() == 1 && shared(c.file))
      candidates.push_back(i);
    else
      runs.push_back({{i}, {}, c.file});
  }
  auto segment = [&](std::size_t i) -> const ByteRange& { return table.chunks[reads[i].chunk].segments.front(); };
  auto file = [&](std::size_t i) { return table.chunks[reads[i].chunk].file; };
  std::stable_sort(candidates.begin(), candidates.end(), [&](std::size_t a, std::size_t b) {
    return std::tuple(file(a), segment(a).offset) < std::tuple(file(b), segment(b).offset);
  });
  ReadRun run;
  std::uint64_t end = 0;
  auto close = [&] {
    if (run.reads.empty()) return;
    if (run.reads.size() == 1) run.bytes = {};  // one chunk: its own read, straight to where it goes
    runs.push_back(std::move(run));
    run = {};
  };
  for (const std::size_t i : candidates) {
    const ByteRange& s = segment(i);
    const bool joins = !run.reads.empty() && file(i) == run.file && s.offset >= end &&
                       s.offset - end <= limits.max_gap && s.offset + s.size - run.bytes.offset <= limits.max_bytes;
    if (!joins) {
      close();
      run.file = file(i);
      run.bytes.offset = s.offset;
    }
    run.reads.push_back(i);
    end = s.offset + s.size;  // a chunk joins only at or after the run's end
    run.bytes.size = end - run.bytes.offset;
  }
  close();
  auto first = [](const ReadRun& r) { return *std::min_element(r.reads.begin(), r.reads.end()); };
  std::sort(runs.begin(), runs.end(), [&](const ReadRun& a, const ReadRun& b) { return first(a) < first(b); });
  return runs;
}

}  // namespace strata::exec
