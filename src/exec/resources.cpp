#include "exec/resources.hpp"

#include <sched.h>
#include <sys/resource.h>

#include <algorithm>
#include <thread>

namespace strata::exec {

int cpus_available() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  int n = CPU_COUNT(&set);
  return n > 0 ? n : 1;
}

int threads_per_rank(int ranks_on_node) {
  const int cpus = cpus_available();
  const int hardware = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return cpus < hardware ? cpus : std::max(1, hardware / std::max(1, ranks_on_node));
}

std::uint64_t peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

}  // namespace strata::exec
