#include "array/memory_limit.hpp"

#include <algorithm>

#include "exec/resources.hpp"
#include "strata/error.hpp"
#include "strata/grid.hpp"

namespace strata {

std::uint64_t memory_limit(const mpi::Comm& comm, const ReadOptions& options) {
  if (options.max_memory) return options.max_memory;
  return exec::memory_available() / static_cast<std::uint64_t>(std::max(1, comm.ranks_on_node()));
}

std::uint64_t scratch_bytes(const ChunkTable& table, const RankPlan& reads, std::size_t element_size, int threads) {
  const std::uint64_t part =
      table.partial_block.empty() ? 0 : static_cast<std::uint64_t>(element_count(table.partial_block));
  std::uint64_t largest = 0;
  for (const ChunkRead& read : reads.reads) {
    const Box& chunk = table.chunks[read.chunk].box;
    // Decoded straight into its destination, or not stored (filled there).
    if (read.region == chunk || !table.chunks[read.chunk].stored()) continue;
    const auto elements = static_cast<std::uint64_t>(chunk.count());
    largest = std::max(largest, part ? std::min(part, elements) : elements);
  }
  const auto workers = static_cast<std::uint64_t>(std::max(1, std::min<int>(threads, static_cast<int>(reads.reads.size()))));
  return workers * largest * element_size;
}

void check_memory(const mpi::Comm& comm, std::uint64_t bytes, const ReadOptions& options, const std::string& what) {
  mpi::agreed(comm, [&] {
    const std::uint64_t limit = memory_limit(comm, options);
    if (bytes <= limit) return;
    const std::string source = options.max_memory ? "max_memory (--max-memory)"
                                                  : "its share of the node's available memory; max_memory "
                                                    "(--max-memory) sets the limit";
    throw Error("", what + " needs " + std::to_string(bytes) + " bytes on rank " + std::to_string(comm.rank()) +
                        ", more than it may use (" + std::to_string(limit) + " bytes: " + source +
                        "): select less, spread it over more ranks, or convert it (read -o, Array::write)");
  });
}

}  // namespace strata
