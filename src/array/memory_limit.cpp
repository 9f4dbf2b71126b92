#include "array/memory_limit.hpp"

#include <algorithm>
#include <limits>
#include <optional>

#include "exec/resources.hpp"
#include "strata/error.hpp"
#include "strata/grid.hpp"

namespace strata {

std::uint64_t clamped(long double bytes) {
  return bytes >= 1.8e19L ? std::numeric_limits<std::uint64_t>::max() : static_cast<std::uint64_t>(bytes);
}

std::uint64_t memory_limit(const mpi::Comm& comm, const ReadOptions& options) {
  if (options.max_memory) return options.max_memory;
  return exec::memory_available() / static_cast<std::uint64_t>(std::max(1, comm.ranks_on_node()));
}

namespace {

// Elements a read of `region` of `chunk` decodes through scratch: 0 when it decodes straight
// into its destination or is not stored (filled there).
long double scratch_elements(const ChunkTable& table, const ChunkRef& chunk, const Box& region) {
  if (!chunk.stored()) return 0;
  // A regular grid stores its edge chunks whole (Zarr, HDF5): they decode at the grid's shape.
  const Shape decoded = table.chunk_shape.size() == chunk.box.rank() ? table.chunk_shape : chunk.box.shape();
  if (region == chunk.box && chunk.box.shape() == decoded) return 0;
  const long double elements = element_count_wide(decoded);
  if (table.partial_block.empty()) return elements;
  return std::min(static_cast<long double>(element_count(table.partial_block)), elements);
}

std::uint64_t per_thread(long double largest, std::size_t element_size, int threads, std::size_t reads) {
  const std::size_t workers = std::max<std::size_t>(1, std::min(static_cast<std::size_t>(std::max(threads, 1)), reads));
  return clamped(static_cast<long double>(workers) * largest * static_cast<long double>(element_size));
}

}  // namespace

std::uint64_t scratch_bytes(const ChunkTable& table, const RankPlan& reads, std::size_t element_size, int threads) {
  long double largest = 0;
  for (const ChunkRead& read : reads.reads)
    largest = std::max(largest, scratch_elements(table, table.chunks[read.chunk], read.region));
  return per_thread(largest, element_size, threads, reads.reads.size());
}

std::uint64_t scratch_bytes(const ChunkTable& table, const Box& selection, std::size_t element_size, int threads) {
  long double largest = 0;
  std::size_t met = 0;
  for (const ChunkRef& chunk : table.chunks)
    if (const std::optional<Box> region = intersect(chunk.box, selection)) {
      largest = std::max(largest, scratch_elements(table, chunk, *region));
      ++met;
    }
  return per_thread(largest, element_size, threads, met);
}

void check_memory(const mpi::Comm& comm, std::uint64_t bytes, const ReadOptions& options, const std::string& what) {
  mpi::agreed(comm, [&] {
    const std::uint64_t limit = memory_limit(comm, options);
    if (bytes <= limit) return;
    const std::string source = options.max_memory ? "max_memory (--max-memory)"
                                                  : "its share of the node's available memory; max_memory "
                                                    "(--max-memory) sets the limit";
    const std::string needed = bytes == std::numeric_limits<std::uint64_t>::max() ? "2^64 or more" : std::to_string(bytes);
    throw Error("", what + " needs " + needed + " bytes on rank " + std::to_string(comm.rank()) +
                        ", more than it may use (" + std::to_string(limit) + " bytes: " + source +
                        "): select less, spread it over more ranks, or convert it (read -o, Array::write)");
  });
}

}  // namespace strata
