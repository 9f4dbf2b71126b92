// The Array API as an application uses it: a default-constructed Array, a gather root that is
// not a rank, typed access to what was read, and MPI datatypes of strata's element types
// used in the application's own reduction.
#include <cstring>
#include <filesystem>
#include <numeric>

#include "mpi_test.hpp"
#include "strata/array.hpp"
#include "strata/error.hpp"
#include "strata/mpi_datatype.hpp"
#include "strata/selection.hpp"
#include "strata/slab.hpp"

namespace strata {
namespace {

using testing::ReferenceFile;
using testing::SharedDir;
using testing::world;

class ArrayApi : public testing::MpiTest {
 protected:
  void SetUp() override { file_ = testing::write_reference(dir_, "npy_u16_czyx"); }
  SharedDir dir_;
  ReferenceFile file_;
};

class DefaultArray : public testing::MpiTest {};
class MpiDatatype : public testing::MpiTest {};

TEST_F(DefaultArray, HoldsNoFileAndSaysSo) {
  const Array none;
  EXPECT_EQ(none.bytes(), 0u);
  EXPECT_EQ(none.comm(), MPI_COMM_NULL);
  EXPECT_TRUE(none.shape().empty());
  EXPECT_THROW(none.dims(), Error);
  EXPECT_THROW(none.info(), Error);
  EXPECT_THROW(none.dtype(), Error);
  EXPECT_THROW(none.driver(), Error);
  EXPECT_THROW(none.select(parse_selection("Z=1")), Error);
  EXPECT_THROW(none.gather(), Error);
  EXPECT_THROW(none.read_slab(), Error);
  try {
    none.dims();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Array::open"), std::string::npos) << e.what();
  }
}

TEST_F(ArrayApi, AGatherRootThatIsNoRankIsTheSameErrorOnEveryRank) {
  const Array a = Array::open(file_.path, MPI_COMM_WORLD);
  for (const int root : {-1, ranks()}) {
    ReadOptions options;
    options.root = root;
    std::string message;
    try {
      a.gather(options);
    } catch (const Error& e) {
      message = e.what();
    }
    EXPECT_NE(message.find("ReadOptions::root " + std::to_string(root)), std::string::npos) << message;
    EXPECT_EQ(world().broadcast(message, 0), message);
  }
  // The communicator is still usable: a good root still gathers.
  EXPECT_EQ(a.gather().size(), rank() == 0 ? file_.array.bytes.size() : 0u);
}

TEST_F(ArrayApi, TypedAccessSeesTheElementsAndRefusesAnotherType) {
  const Array a = Array::open(file_.path, MPI_COMM_WORLD);
  const Buffer whole = a.gather();
  const Slab slab = a.read_slab();
  std::vector<std::uint16_t> want(file_.array.bytes.size() / 2);
  std::memcpy(want.data(), file_.array.bytes.data(), file_.array.bytes.size());

  if (rank() == 0) {
    const std::span<const std::uint16_t> all = whole.as<std::uint16_t>(a.dtype());
    EXPECT_TRUE(std::equal(all.begin(), all.end(), want.begin(), want.end()));
  }
  const std::span<const std::uint16_t> mine = slab.as<std::uint16_t>();
  const std::size_t plane = slab.plane_bytes() / 2;
  EXPECT_TRUE(std::equal(mine.begin(), mine.end(), want.begin() + slab.plane_begin * plane));
  EXPECT_THROW(slab.as<float>(), Error);
  EXPECT_THROW(whole.as<std::int16_t>(a.dtype()), Error);
}

TEST_F(ArrayApi, MpiDatatypeReducesTheSlabsIntoTheWholeSum) {
  // Every rank sums its own planes in uint64, then MPI_Allreduce with mpi_datatype(uint64).
  const Array a = Array::open(file_.path, MPI_COMM_WORLD);
  const Slab slab = a.read_slab();
  const std::span<const std::uint16_t> mine = slab.as<std::uint16_t>();
  std::uint64_t local = std::accumulate(mine.begin(), mine.end(), std::uint64_t{0});
  std::uint64_t total = 0;
  EXPECT_EQ(MPI_Allreduce(&local, &total, 1, mpi_datatype(DType::uint64), MPI_SUM, MPI_COMM_WORLD), MPI_SUCCESS);
  std::uint64_t want = 0;
  for (std::size_t i = 0; i < file_.array.bytes.size(); i += 2) {
    std::uint16_t v;
    std::memcpy(&v, file_.array.bytes.data() + i, 2);
    want += v;
  }
  EXPECT_EQ(total, want);
}

// A read lists only the chunks its selection meets: with a folder where the last chunk of
// zarr_u16_edge_chunks ((7,33,35) in chunks (3,8,16), keys "z.y.x") should be, any listing
// that reaches it fails, so a read that succeeds never looked at it.
class SelectedChunks : public testing::MpiTest {
 protected:
  void SetUp() override {
    file_ = testing::write_reference(dir_, "zarr_u16_edge_chunks");
    if (rank() == 0) {
      std::filesystem::remove(std::filesystem::path(file_.file) / "2.4.2");
      std::filesystem::create_directory(std::filesystem::path(file_.file) / "2.4.2");
    }
    MPI_Barrier(MPI_COMM_WORLD);
  }
  SharedDir dir_;
  ReferenceFile file_;
};

TEST_F(SelectedChunks, ASelectionReadsWithoutListingTheChunksItDoesNotMeet) {
  const Array a = Array::open(file_.path, MPI_COMM_WORLD);
  const Array part = a.select(parse_selection("Z=0:6,Y=0:20,X=0:30"));
  const Buffer got = part.gather();
  if (rank() == 0) {
    const auto want = file_.array.slice(Box{{0, 0, 0}, {6, 20, 30}});
    ASSERT_EQ(got.size(), want.size());
    EXPECT_EQ(std::memcmp(got.data(), want.data(), want.size()), 0);
  }
  EXPECT_EQ(a.select(parse_selection("Z=0,Y=0,X=0")).plan().ranks.size(), static_cast<std::size_t>(ranks()));
  std::string message;
  try {
    a.gather();
  } catch (const Error& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("2.4.2"), std::string::npos) << message;
  EXPECT_NE(message.find("a chunk key that is not a file"), std::string::npos) << message;
}

TEST_F(SelectedChunks, ATableBeyondTheMemoryLimitIsRefusedOnEveryRank) {
  const Array a = Array::open(file_.path, MPI_COMM_WORLD);
  ReadOptions options;
  options.max_memory = 900;  // the chunk's 768 bytes fit; its table (~1 KiB) does not
  const Array chunk = a.select(parse_selection("Z=0:3,Y=0:8,X=0:16"));
  std::string message;
  try {
    chunk.gather(options);
  } catch (const Error& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("the table of the 1 chunks the selection meets"), std::string::npos) << message;
  EXPECT_NE(message.find(file_.file), std::string::npos) << message;
  options.max_memory = 0;
  EXPECT_EQ(chunk.gather(options).size(), rank() == 0 ? 768u : 0u);
}

TEST_F(MpiDatatype, EveryDTypeHasAPredefinedTypeOfItsSize) {
  for (const DType t : {DType::uint8, DType::uint16, DType::uint32, DType::uint64, DType::int8, DType::int16,
                        DType::int32, DType::int64, DType::float32, DType::float64}) {
    int size = 0;
    EXPECT_EQ(MPI_Type_size(mpi_datatype(t), &size), MPI_SUCCESS) << name(t);
    EXPECT_EQ(static_cast<std::size_t>(size), size_of(t)) << name(t);
  }
  EXPECT_EQ(mpi_datatype(DType::float32), MPI_FLOAT);
  EXPECT_EQ(mpi_datatype(DType::int16), MPI_INT16_T);
}

}  // namespace
}  // namespace strata
