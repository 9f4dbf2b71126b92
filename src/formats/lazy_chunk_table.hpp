#pragma once
// A driver's chunk table listed on first use, not at open: `strata info` of a Zarr array
// with millions of chunks never lists them (Driver::summary answers from the metadata).
// Thread-safe: decode threads may ask for it at once; a listing that throws is tried again
// by the next caller.
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>

#include "strata/chunk.hpp"

namespace strata {

// A table lists the chunks a read meets (Zarr, HDF5: Driver::chunks_for): a read meeting
// more (a hostile header, or a whole sparse array of 10^18 chunks) is refused with a message
// rather than listed for hours or failing inside std::vector. `info` needs no table; reads
// through Array are refused sooner, by ReadOptions::max_chunks.
inline constexpr std::int64_t max_listed_chunks = std::int64_t{1} << 26;

class LazyChunkTable {
 public:
  explicit LazyChunkTable(std::function<ChunkTable()> list) : list_(std::move(list)) {}
  // A table restored from rank 0's state: already listed.
  explicit LazyChunkTable(ChunkTable table) : table_(std::move(table)), listed_(true) {}

  // Listed by the first thread that asks; a listing that throws is tried again by the next
  // (a mutex, not std::call_once, whose retry after a throw hangs under TSan and some C
  // libraries).
  const ChunkTable& get() const {
    if (listed_.load(std::memory_order_acquire)) return *table_;
    const std::lock_guard lock(listing_);
    if (!table_) table_ = list_();
    listed_.store(true, std::memory_order_release);
    return *table_;
  }

 private:
  std::function<ChunkTable()> list_;
  mutable std::mutex listing_;
  mutable std::optional<ChunkTable> table_;
  mutable std::atomic<bool> listed_{false};
};

}  // namespace strata
