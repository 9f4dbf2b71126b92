// Comm's collectives: broadcast of any size from any root, the exclusive prefix sum and
// the maxima that statistics use.
#include <cstdint>
#include <string>

#include "mpi_test.hpp"

namespace strata {
namespace {

using testing::world;

class CommCollectives : public testing::MpiTest {};

std::string text_of(std::size_t bytes, int root) {
  std::string s(bytes, '\0');
  for (std::size_t i = 0; i < bytes; ++i) s[i] = static_cast<char>((i * 31 + i / 4096 + static_cast<std::size_t>(root)) & 0xff);
  return s;
}

TEST_F(CommCollectives, RankAndSizeAreMpis) {
  int r = -1, n = -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  EXPECT_EQ(world().rank(), r);
  EXPECT_EQ(world().size(), n);
  EXPECT_EQ(world().get(), MPI_COMM_WORLD);
  const int on_node = world().ranks_on_node();
  EXPECT_GE(on_node, 1);
  EXPECT_LE(on_node, n);
}

TEST_F(CommCollectives, EmptyStringFromEveryRoot) {
  for (int root = 0; root < ranks(); ++root) {
    // Non-roots pass something else: only the root's bytes count.
    const std::string got = world().broadcast(rank() == root ? std::string() : "stale bytes of rank " + std::to_string(rank()), root);
    EXPECT_EQ(got, "") << "root " << root;
  }
}

TEST_F(CommCollectives, SeveralMegabytesFromEveryRoot) {
  const std::size_t bytes = (std::size_t{5} << 20) + 3;
  for (int root = 0; root < ranks(); ++root) {
    const std::string got = world().broadcast(rank() == root ? text_of(bytes, root) : std::string(17, 'z'), root);
    EXPECT_EQ(got.size(), bytes) << "root " << root;
    EXPECT_TRUE(got == text_of(bytes, root)) << "root " << root << ": the bytes differ";
  }
}

TEST_F(CommCollectives, BinaryBytesWithNulsArriveUnchanged) {
  const std::string bytes("a\0b\0\0c\xff", 7);
  EXPECT_EQ(world().broadcast(rank() == ranks() - 1 ? bytes : std::string(), ranks() - 1), bytes);
}

TEST_F(CommCollectives, ExclusiveSumIsTheSumOverLowerRanks) {
  const auto r = static_cast<std::uint64_t>(rank());
  EXPECT_EQ(world().exclusive_sum(r + 1), r * (r + 1) / 2);
  // Past 32 bits: byte offsets of large outputs.
  const std::uint64_t big = std::uint64_t{3} << 40;
  EXPECT_EQ(world().exclusive_sum(big + r), big * r + (r > 0 ? r * (r - 1) / 2 : 0));
  EXPECT_EQ(world().exclusive_sum(0), 0u);
}

TEST_F(CommCollectives, MaxOfIntegersAndDoubles) {
  // The largest value sits on a middle rank.
  const int peak = ranks() / 2;
  const std::uint64_t big = (std::uint64_t{1} << 50) + 7;
  EXPECT_EQ(world().max(rank() == peak ? big : static_cast<std::uint64_t>(rank())), big);
  EXPECT_EQ(world().max(rank() == peak ? 2.5 : -1.0 * rank()), 2.5);
  EXPECT_EQ(world().max(-1.5 - rank()), -1.5);  // all negative: rank 0's
  world().barrier();
}

}  // namespace
}  // namespace strata
