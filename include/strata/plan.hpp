#pragma once
// The planner: a pure function from (chunk table, selection, rank count, strategy) to the
// ordered list of chunk reads each rank performs and where each lands. No MPI, no files.
#include <cstdint>
#include <string_view>
#include <vector>

#include "strata/box.hpp"
#include "strata/chunk.hpp"

namespace strata {

enum class Strategy { bytes, block, round_robin };
Strategy parse_strategy(std::string_view name);  // "bytes", "block", "round-robin"
std::string_view name(Strategy s) noexcept;

// Estimated cost of reading a chunk: a·stored bytes + b·decoded bytes; layouts where ranks
// own boxes also charge a byte that travels between ranks to its sender and its receiver.
struct CostModel {
  double per_stored_byte = 1.0;
  double per_decoded_byte = 0.25;
  double per_moved_byte = 1.0;
};

struct ChunkRead {
  std::size_t chunk = 0;         // index into ChunkTable::chunks
  Box region;                    // array coordinates: chunk box ∩ selection
  Box dest;                      // the same region in selection (output) coordinates
  std::uint64_t local_offset = 0;  // byte offset in the rank's own buffer (plan order)
  std::uint64_t stored_bytes = 0;  // estimated bytes read from storage
  std::uint64_t decoded_bytes = 0;
};

struct RankPlan {
  std::vector<ChunkRead> reads;  // in the order the rank performs them
  std::uint64_t stored_bytes = 0;
  std::uint64_t decoded_bytes = 0;
  double cost = 0;
};

struct Plan {
  Box selection;
  std::size_t element_size = 1;
  std::vector<RankPlan> ranks;
  std::size_t chunk_count() const noexcept;
  // max/mean − 1 of the ranks' costs; 0 when perfectly balanced.
  double imbalance() const noexcept;
};

// Throws strata::Error for an empty selection or ranks < 1.
Plan make_plan(const ChunkTable& table, const Box& selection, std::size_t element_size,
               int ranks, Strategy strategy = Strategy::bytes, const CostModel& cost = {});

}  // namespace strata
