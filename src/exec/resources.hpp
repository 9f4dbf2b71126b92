#pragma once
// What this process may use and has used: CPUs in its affinity mask, peak memory.
#include <cstdint>

namespace strata::exec {

// CPUs this process may run on (its affinity mask), at least 1.
int cpus_available();
// Peak resident set size of this process so far, in bytes.
std::uint64_t peak_rss_bytes();

}  // namespace strata::exec
