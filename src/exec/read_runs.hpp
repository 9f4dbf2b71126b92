#pragma once
// Which of a rank's chunk reads to fetch with one read: chunks stored next to each other in
// one file (the inner chunks of a shard, say) are grouped into runs, so that a thread reads
// a run's bytes once (io::ReadAhead) and decodes its chunks from memory, instead of one
// pread per chunk. Pure: no files, no MPI.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "strata/chunk.hpp"
#include "strata/plan.hpp"

namespace strata::exec {

struct ReadRun {
  std::vector<std::size_t> reads;  // indices into the rank's reads, in file order
  ByteRange bytes;                 // what one read fetches for them; size 0: read each alone
  std::uint32_t file = 0;          // ChunkTable::files index of `bytes`
};

struct RunLimits {
  std::uint64_t max_gap = std::uint64_t{64} << 10;  // unread bytes between two chunks of a run
  // Bytes one run fetches (a thread's buffer): 8 MiB runs measured no faster than 1 MiB ones
  // (docs/benchmarks.md), and a 1 MiB buffer stays in cache while its chunks are decoded.
  std::uint64_t max_bytes = std::uint64_t{1} << 20;
};

// Groups `reads` into runs: the stored, one-segment chunks of each file for which
// `shared(file)` is true, ordered by offset, make runs while the next chunk starts at most
// max_gap after the previous one ends and the run spans at most max_bytes; every other read
// is a run of its own. Runs come in the order of their first read, so work is still taken
// roughly in plan order. Every read is in exactly one run.
std::vector<ReadRun> read_runs(const ChunkTable& table, const std::vector<ChunkRead>& reads,
                               const std::function<bool(std::uint32_t file)>& shared, const RunLimits& limits = {});

}  // namespace strata::exec
