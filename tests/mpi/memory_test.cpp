// Memory after a result is dropped: reading must not leave memory behind. Every layout's
// result (a gathered Buffer, a slab, a box, a replicated Part, a reduction) of a 64 MiB array
// raises a rank's resident memory while it is held, and once it is dropped the rank's
// resident memory is back within 6 MiB (less than the 8 MiB of 2 planes, a tenth of the array)
// of what it was before the read: the send rounds, staging and decode scratch are freed with
// it, and large buffers go back to the system, not into the allocator's heap.
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "mpi_test.hpp"
#include "strata/array.hpp"
#include "strata/expression.hpp"
#include "strata/layout.hpp"

namespace strata {
namespace {

using testing::SharedDir;
using testing::world;

constexpr std::int64_t kMiB = std::int64_t{1} << 20;

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
      EXPECT_GE(resident_bytes() - before, held_at_least) << "the result is not resident while held";
    }
    EXPECT_LT(resident_bytes() - before, 6 * kMiB) << "MiB kept after the result was dropped: "
                                                   << (resident_bytes() - before) / kMiB;
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

}  // namespace
}  // namespace strata
