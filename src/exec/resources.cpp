#include "exec/resources.hpp"

#include <sched.h>
#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
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

namespace {

// The first number in `path`, or nothing (no such file, "max", no number).
std::optional<std::uint64_t> number_in(const std::string& path) {
  std::ifstream in(path);
  std::uint64_t value = 0;
  if (in >> value) return value;
  return std::nullopt;
}

// The cgroup (v2, else v1 memory controller) this process is in, as a folder under /sys/fs/cgroup.
std::string cgroup_folder() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  std::string v1;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) == 0) return "/sys/fs/cgroup" + line.substr(3);
    const auto colon = line.find(':'), second = line.find(':', colon + 1);
    if (colon == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(colon + 1, second - colon - 1);
    if (controllers.find("memory") != std::string::npos) v1 = "/sys/fs/cgroup/memory" + line.substr(second + 1);
  }
  return v1;
}

}  // namespace

std::uint64_t memory_available() {
  std::uint64_t available = std::numeric_limits<std::uint64_t>::max();
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit)
    if (key == "MemAvailable:") available = kib * 1024;
  const std::string folder = cgroup_folder();
  if (!folder.empty()) {
    // A limit far beyond the machine (v1 reports ~2^63 for none) is no limit.
    auto limit = number_in(folder + "/memory.max");
    auto usage = number_in(folder + "/memory.current");
    if (!limit) limit = number_in(folder + "/memory.limit_in_bytes"), usage = number_in(folder + "/memory.usage_in_bytes");
    if (limit && usage && *limit < (std::uint64_t{1} << 60))
      available = std::min(available, *limit > *usage ? *limit - *usage : 0);
  }
  return available;
}

std::uint64_t peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

}  // namespace strata::exec
