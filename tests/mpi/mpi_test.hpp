#pragma once
// What the MPI tests share. Every rank runs every test (mpi_test_main.cpp); a test's
// failure on any rank fails it on every rank (MpiTest::TearDown), and the program exits
// non-zero on every rank. Rules for test bodies: every rank makes the same collective calls
// in the same order, so no ASSERT_ (which returns early) may stand before a collective call;
// files are written by one rank inside an agreed step (write_on_root), which also orders
// the writing before every rank's reading.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "mpi/comm.hpp"
#include "strata/box.hpp"
#include "support/reference_files.hpp"

namespace strata::testing {

const mpi::Comm& world();

// Fails the current test on every rank where it failed on some rank, naming those ranks.
class MpiTest : public ::testing::Test {
 protected:
  void TearDown() override;
  static int rank() { return world().rank(); }
  static int ranks() { return world().size(); }
};

// A fresh folder that every rank sees: rank 0 creates it under $TMPDIR (one machine) or
// $STRATA_TEST_SHARED_TMPDIR (a folder on a file system every node shares) and broadcasts
// its name; the destructor waits for every rank, then rank 0 removes it.
class SharedDir {
 public:
  SharedDir();
  ~SharedDir();
  SharedDir(const SharedDir&) = delete;
  SharedDir& operator=(const SharedDir&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  // The names in the folder, sorted (what a failed write must not leave behind).
  std::vector<std::string> names() const;

 private:
  std::filesystem::path path_;
};

// Runs `write` on rank 0 and agrees on its outcome: a failure throws on every rank, and no
// rank returns before rank 0 has finished.
template <typename Write>
void write_on_root(Write&& write) {
  mpi::agreed(world(), [&] {
    if (world().rank() == 0) write();
  });
}

// Every rank's `value`, in rank order.
std::vector<long long> all_gather(long long value);

// The reference case `name` (support/reference_files.hpp) written by rank 0 into its own
// folder of `dir`; every rank gets its description.
ReferenceFile write_reference(const SharedDir& dir, const std::string& name);

// A Zarr reference case (a store of chunk files) whose last chunk, in key order, rank 0 has
// overwritten with bytes no codec decodes.
ReferenceFile write_reference_with_bad_last_chunk(const SharedDir& dir, const std::string& name);

// Selections of an array of these dims and shape, as text: every axis of 3 or more
// elements without its first and last element ("Z=1:4,Y=1:22,X=1:36"), and the last index
// of the first axis of 2 or more plus the first 5 of the last axis ("Z=4,X=:5").
std::string trimmed_selection(const std::string& dims, const Shape& shape);
std::string index_selection(const std::string& dims, const Shape& shape);

}  // namespace strata::testing
