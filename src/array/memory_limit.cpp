#include "array/memory_limit.hpp"

#include <algorithm>

#include "exec/resources.hpp"
#include "strata/error.hpp"

namespace strata {

std::uint64_t memory_limit(const mpi::Comm& comm, const ReadOptions& options) {
  if (options.max_memory) return options.max_memory;
  return exec::memory_available() / static_cast<std::uint64_t>(std::max(1, comm.ranks_on_node()));
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
