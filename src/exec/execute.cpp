#include "exec/execute.hpp"

#include <optional>

#include "exec/parallel_for.hpp"
#include "exec/read_runs.hpp"
#include "io/file.hpp"
#include "strata/error.hpp"

namespace strata::exec {

void execute(const Driver& driver, const RankPlan& plan, const std::function<View(const ChunkRead&)>& destination,
             int threads) {
  const ChunkTable& table = driver.chunks();
  const std::vector<ReadRun> runs =
      read_runs(table, plan.reads, [&](std::uint32_t file) { return driver.shared_file(file) != nullptr; });
  parallel_for(runs.size(), threads, [&](std::size_t r, int) {
    const ReadRun& run = runs[r];
    std::optional<io::ReadAhead> ahead;
    try {
      if (run.bytes.size != 0) ahead.emplace(*driver.shared_file(run.file), run.bytes);
    } catch (const Error&) {
      // Read the chunks one by one instead: the one at fault (a truncated shard, say) then
      // fails inside read_chunk, and its error names the format and the chunk.
    }
    for (const std::size_t i : run.reads) {
      const ChunkRead& read = plan.reads[i];
      driver.read_chunk(table.chunks[read.chunk], read.region, destination(read));
    }
  });
}

}  // namespace strata::exec
