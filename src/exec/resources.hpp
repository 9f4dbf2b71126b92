#pragma once
// What this process may use and has used: CPUs in its affinity mask, memory available to
// it, peak memory.
#include <cstdint>

namespace strata::exec {

// CPUs this process may run on (its affinity mask), at least 1.
int cpus_available();
// Worker threads for one of `ranks_on_node` ranks sharing a node: its affinity mask when it
// is bound to fewer CPUs than the node has, else an equal share of the node's CPUs.
int threads_per_rank(int ranks_on_node);
// Bytes this process could still allocate without swapping or meeting its cgroup's limit:
// the smaller of the kernel's MemAvailable and, under a cgroup limit (v2 memory.max, v1
// memory.limit_in_bytes: a batch job's allocation), the limit less the cgroup's usage.
std::uint64_t memory_available();
// Peak resident set size of this process so far, in bytes.
std::uint64_t peak_rss_bytes();

}  // namespace strata::exec
