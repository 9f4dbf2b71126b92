#pragma once
// What this process may use and has used: CPUs in its affinity mask, peak memory.
#include <cstdint>

namespace strata::exec {

// CPUs this process may run on (its affinity mask), at least 1.
int cpus_available();
// Worker threads for one of `ranks_on_node` ranks sharing a node: its affinity mask when it
// is bound to fewer CPUs than the node has, else an equal share of the node's CPUs.
int threads_per_rank(int ranks_on_node);
// Peak resident set size of this process so far, in bytes.
std::uint64_t peak_rss_bytes();

}  // namespace strata::exec
