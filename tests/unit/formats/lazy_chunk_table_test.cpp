#include "formats/lazy_chunk_table.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "strata/error.hpp"

namespace strata {
namespace {

ChunkTable table_of(std::int64_t chunks) {
  ChunkTable t;
  t.chunks.resize(static_cast<std::size_t>(chunks));
  return t;
}

TEST(LazyChunkTable, ListsOnceForEveryThread) {
  std::atomic<int> listings{0};
  const LazyChunkTable table([&] {
    ++listings;
    return table_of(3);
  });
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      if (table.get().chunks.size() != 3) ++wrong;
    });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(listings.load(), 1);
  EXPECT_EQ(wrong.load(), 0);
}

// A listing that fails (a file not there yet, an I/O error) is tried again by the next caller.
TEST(LazyChunkTable, AFailedListingIsTriedAgain) {
  int calls = 0;
  const LazyChunkTable table([&] {
    if (++calls == 1) throw Error("store.zarr", "listing failed");
    return table_of(2);
  });
  EXPECT_THROW(table.get(), Error);
  EXPECT_EQ(table.get().chunks.size(), 2U);
  EXPECT_EQ(table.get().chunks.size(), 2U);
  EXPECT_EQ(calls, 2);
}

TEST(LazyChunkTable, ARestoredTableIsNeverListed) {
  const LazyChunkTable table(table_of(4));
  EXPECT_EQ(table.get().chunks.size(), 4U);
}

}  // namespace
}  // namespace strata
