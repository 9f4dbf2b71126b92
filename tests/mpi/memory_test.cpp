// Memory after a result is dropped: reading must not leave memory behind. Every layout's
// result (a gathered Buffer, a slab, a box, a replicated Part, a reduction) of a 64 MiB array
// raises a rank's resident memory while it is held, and once it is dropped the rank's
// resident memory is back within 6 MiB (less than the 8 MiB of 2 planes, a tenth of the array)
// of what it was before the read: the send rounds, staging and decode scratch are freed with
// it, and large buffers go back to the system, not into the allocator's heap.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "codecs/deflate.hpp"
#include "mpi_test.hpp"
#include "strata/array.hpp"
#include "strata/expression.hpp"
#include "strata/error.hpp"
#include "strata/layout.hpp"
#include "strata/selection.hpp"

namespace strata {
namespace {

using testing::SharedDir;
using testing::world;

constexpr std::int64_t kMiB = std::int64_t{1} << 20;

// AddressSanitizer keeps freed memory in quarantine and maps its own shadow: resident memory
// says nothing about strata's there, so the bounds below hold only in plain builds.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kResidentMemoryIsStrata = false;
#else
constexpr bool kResidentMemoryIsStrata = true;
#endif

// This process's resident memory now (/proc/self/statm), in bytes.
std::int64_t resident_bytes() {
  long pages = 0, resident = 0;
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  std::fclose(f);
  return static_cast<std::int64_t>(resident) * sysconf(_SC_PAGESIZE);
}

class Memory : public testing::MpiTest {
 protected:
  void SetUp() override {
    path_ = dir_ / "stack.npy";
    // 16 planes of 1024 x 2048 uint16: 64 MiB, more than two gather rounds per rank.
    testing::write_on_root(
        [&] { testing::write_npy(path_, testing::RefArray::pattern({16, 1024, 2048}, DType::uint16)); });
  }

  // Runs `read` (which returns what it read), checks that holding it costs at least
  // `held_at_least` bytes on this rank, drops it, and checks that the rank is back near its
  // resident memory from before.
  template <typename Read>
  void expect_returned(const char* what, std::int64_t held_at_least, Read&& read) {
    SCOPED_TRACE(what);
    const Array a = Array::open(path_, MPI_COMM_WORLD);
    // One read first: the file's pages, the library's pools and MPI's own buffers are then
    // in place, so what remains after the second read is what the read kept.
    { auto warm = read(a); }
    const std::int64_t before = resident_bytes();
    {
      auto result = read(a);
      if (kResidentMemoryIsStrata) {
        EXPECT_GE(resident_bytes() - before, held_at_least) << "the result is not resident while held";
      }
    }
    if (kResidentMemoryIsStrata) {
      EXPECT_LT(resident_bytes() - before, 6 * kMiB) << "MiB kept after the result was dropped: "
                                                   << (resident_bytes() - before) / kMiB;
    }
  }

  SharedDir dir_;
  std::string path_;
};

TEST_F(Memory, EveryLayoutGivesItsMemoryBackWhenItsResultIsDropped) {
  const std::int64_t array = 64 * kMiB;
  const std::int64_t share = array / ranks() * 9 / 10;  // shares differ by up to a plane
  expect_returned("gather", rank() == 0 ? array - kMiB : 0, [](const Array& a) { return a.gather(); });
  expect_returned("slab", share, [](const Array& a) { return a.read(Layout::slab()); });
  expect_returned("slab:Y", share, [](const Array& a) { return a.read(Layout::slab(1)); });
  expect_returned("blocks", share, [](const Array& a) { return a.read(Layout::blocks()); });
  expect_returned("replicated", 0, [](const Array& a) { return a.read(Layout::replicated()); });
  expect_returned("max over Z", rank() == 0 ? 4 * kMiB - kMiB : 0,
                  [](const Array& a) { return max(Expression(a), {0}).gather(); });
}

// A store of a few hundred bytes that claims 40 TB in 20,000 chunks (none stored: all fill): every way of
// reading it is refused on every rank with the same message before memory is touched.
TEST_F(Memory, AnArrayBeyondMemoryIsRefusedBeforeAllocating) {
  const std::string store = dir_ / "bomb.zarr";
  testing::write_on_root([&] {
    std::filesystem::create_directories(store);
    std::ofstream(store + "/.zarray")
        << R"({"zarr_format": 2, "shape": [2000, 100000, 100000], "chunks": [10, 10000, 10000],)"
        << R"( "dtype": "<u2", "compressor": null, "fill_value": 0, "filters": null, "order": "C"})";
  });
  const Array a = Array::open(store, MPI_COMM_WORLD);
  a.reader();  // the table of its 20,000 chunks (~25 MB), listed by the first read, is no allocation of the data
  const std::int64_t before = resident_bytes();
  auto expect_refused = [&](const char* what, auto&& read) {
    SCOPED_TRACE(what);
    std::string message = "(not refused)";
    try {
      read();
    } catch (const Error& e) {
      message = e.what();
    }
    EXPECT_NE(message.find("more than it may use"), std::string::npos) << message;
    EXPECT_EQ(world().broadcast(message, 0), message);
  };
  expect_refused("gather", [&] { a.gather(); });
  expect_refused("slab", [&] { a.read(Layout::slab()); });
  expect_refused("blocks", [&] { a.read(Layout::blocks()); });
  expect_refused("replicated", [&] { a.read(Layout::replicated()); });
  expect_refused("max over Z", [&] { max(Expression(a), {0}).gather(); });
  expect_refused("conversion", [&] { a.write(dir_ / "out.npy"); });
  // An explicit limit is what the rank may use.
  ReadOptions small;
  small.max_memory = 1 << 20;
  expect_refused("a plane under max_memory", [&] { a.select(parse_selection("Z=0")).gather(small); });
  if (kResidentMemoryIsStrata) { EXPECT_LT(resident_bytes() - before, 16 * kMiB); }
}

// One stored chunk of 128 MiB (zlib: 130 kB of zeros): a one-pixel selection needs the whole
// chunk decoded into scratch, which the limit must count.
TEST_F(Memory, ScratchForChunksLargerThanTheSelectionIsCounted) {
  const std::string store = dir_ / "one_chunk.zarr";
  testing::write_on_root([&] {
    std::filesystem::create_directories(store);
    std::ofstream(store + "/.zarray")
        << R"({"zarr_format": 2, "shape": [1, 8192, 8192], "chunks": [1, 8192, 8192], "dtype": "<u2",)"
        << R"( "compressor": {"id": "zlib", "level": 1}, "fill_value": 0, "filters": null, "order": "C"})";
    const std::vector<std::byte> zeros(std::size_t{128} << 20);
    std::vector<std::byte> stored(codecs::zlib_compress_bound(zeros.size()));
    stored.resize(codecs::deflate_zlib(zeros, stored, 1));
    std::ofstream(store + "/0.0.0", std::ios::binary).write(reinterpret_cast<const char*>(stored.data()),
                                                              static_cast<std::streamsize>(stored.size()));
  });
  const Array pixel = Array::open(store, MPI_COMM_WORLD).select(parse_selection("Y=0,X=0"));
  ReadOptions limited;
  limited.max_memory = 64 << 20;
  std::string message = "(not refused)";
  try {
    pixel.gather(limited);
  } catch (const Error& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("more than it may use"), std::string::npos) << message;
  EXPECT_EQ(world().broadcast(message, 0), message);
  limited.max_memory = 512 << 20;  // room for the scratch of two decode threads
  limited.threads = 2;
  const Buffer got = pixel.gather(limited);
  if (rank() == 0) { EXPECT_EQ(got.size(), 2u); }
}

}  // namespace
}  // namespace strata
