#include "exec/execute.hpp"

#include "exec/parallel_for.hpp"

namespace strata::exec {

void execute(const Driver& driver, const RankPlan& plan, const std::function<View(const ChunkRead&)>& destination,
             int threads) {
  const auto& chunks = driver.chunks().chunks;
  parallel_for(plan.reads.size(), threads, [&](std::size_t i, int) {
    const ChunkRead& read = plan.reads[i];
    driver.read_chunk(chunks[read.chunk], read.region, destination(read));
  });
}

}  // namespace strata::exec
