// Array::open + Array::gather over MPI: files written by reference writers (one rank writes,
// every rank opens), gathered onto the first or the last rank by every strategy, whole and
// through selections, in rounds of any size; the root's bytes must equal the written array's,
// the others get none; a bad chunk in any round fails every rank alike.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "array/layout.hpp"
#include "mpi_test.hpp"
#include "strata/array.hpp"
#include "strata/error.hpp"
#include "strata/selection.hpp"

namespace strata {
namespace {

using testing::first_difference;
using testing::ReferenceFile;
using testing::SharedDir;
using testing::world;

class Gather : public testing::MpiTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override { file_ = testing::write_reference(dir_, GetParam()); }

  Array open() const { return Array::open(file_.path, MPI_COMM_WORLD); }

  // Gathers `array` onto `root` and expects the root to hold `want`, every other rank nothing.
  void expect_gathers(const Array& array, const std::vector<std::byte>& want, ReadOptions options) const {
    Buffer got;
    EXPECT_NO_THROW(got = array.gather(options));
    SCOPED_TRACE("root " + std::to_string(options.root) + ", strategy " + std::to_string(static_cast<int>(options.strategy)));
    if (rank() == options.root) {
      EXPECT_EQ(first_difference(got.bytes(), want, file_.array.element_bytes()), "");
    } else {
      EXPECT_EQ(got.size(), 0u);
    }
  }

  SharedDir dir_;
  ReferenceFile file_;
};

TEST_P(Gather, EveryRankOpensTheSameArray) {
  const Array a = open();
  EXPECT_EQ(a.info().shape, file_.array.shape);
  EXPECT_EQ(a.info().dtype, file_.array.dtype);
  EXPECT_EQ(a.dims(), file_.dims);
  EXPECT_EQ(a.shape(), file_.array.shape);
  EXPECT_EQ(a.bytes(), file_.array.bytes.size());
  // The same chunk table everywhere: rank 0 opened the file, the others restored its state.
  EXPECT_EQ(world().broadcast(a.driver().save(), 0), a.driver().save());
}

TEST_P(Gather, WholeArrayOntoTheFirstAndTheLastRank) {
  const Array a = open();
  for (const int root : {0, ranks() - 1}) {
    ReadOptions options;
    options.root = root;
    options.threads = 2;
    expect_gathers(a, file_.array.bytes, options);
  }
}

TEST_P(Gather, EveryStrategyGathersTheSameBytes) {
  const Array a = open();
  for (const Strategy strategy : {Strategy::bytes, Strategy::block, Strategy::round_robin}) {
    ReadOptions options;
    options.strategy = strategy;
    options.root = ranks() > 1 ? 1 : 0;
    expect_gathers(a, file_.array.bytes, options);
  }
}

TEST_P(Gather, SelectionsGatherTheirPart) {
  const Array a = open();
  for (const std::string& text : {testing::trimmed_selection(file_.dims, file_.array.shape),
                                  testing::index_selection(file_.dims, file_.array.shape)}) {
    SCOPED_TRACE("selection " + text);
    const Selection sel = parse_selection(text);
    const Box box = resolve(sel, file_.dims, file_.array.shape);
    const Array part = a.select(sel);
    EXPECT_EQ(part.shape(), box.shape());
    EXPECT_EQ(part.selection(), box);
    for (const int root : {0, ranks() - 1}) {
      ReadOptions options;
      options.root = root;
      expect_gathers(part, file_.array.slice(box), options);
    }
  }
}

TEST_P(Gather, ASelectionOfASelectionIsRelativeToIt) {
  const Array a = open();
  const Selection outer = parse_selection(testing::trimmed_selection(file_.dims, file_.array.shape));
  const Box outer_box = resolve(outer, file_.dims, file_.array.shape);
  const Array first = a.select(outer);
  const Selection inner = parse_selection(testing::index_selection(file_.dims, first.shape()));
  Box box = resolve(inner, file_.dims, first.shape());
  for (std::size_t i = 0; i < box.rank(); ++i) {
    box.start[i] += outer_box.start[i];
    box.stop[i] += outer_box.start[i];
  }
  const Array second = first.select(inner);
  EXPECT_EQ(second.selection(), box);
  ReadOptions options;
  options.root = ranks() - 1;
  expect_gathers(second, file_.array.slice(box), options);
}

TEST_P(Gather, RoundsOfAnySizeGatherTheSameBytes) {
  // The other ranks send what they decode in rounds (RootPlacement): one read a round, a few,
  // or all at once, onto the last rank.
  const Array a = open();
  for (const std::uint64_t round_bytes : {std::uint64_t{1}, std::uint64_t{3000}, std::uint64_t{1} << 30}) {
    SCOPED_TRACE("rounds of " + std::to_string(round_bytes) + " bytes");
    RootPlacement placement(a.dtype(), a.shape(), ranks() - 1, {}, round_bytes);
    ReadOptions options;
    options.threads = 2;
    EXPECT_NO_THROW(run_placement(placement, a.driver(), a.selection(), world(), options));
    const Buffer got = placement.take();
    if (rank() == ranks() - 1)
      EXPECT_EQ(first_difference(got.bytes(), file_.array.bytes, file_.array.element_bytes()), "");
    else
      EXPECT_EQ(got.size(), 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Files, Gather,
                         ::testing::Values("npy_u16_czyx", "tiff_u16_strips", "tiff_u8_rgb_planar_separate_lzw_tiles",
                                           "zarr_u16_edge_chunks", "zarr_i32_zlib_nested_missing_chunks",
                                           "hdf5_u16_deflate_edge_chunks"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

class GatherRefusals : public testing::MpiTest {
 protected:
  // What opening `path` throws, expected the same on every rank.
  std::string open_error(const std::string& path) {
    std::string what = "(opened)";
    try {
      Array::open(path, MPI_COMM_WORLD);
    } catch (const Error& e) {
      what = e.what();
      EXPECT_EQ(e.path(), path) << e.what();
    }
    EXPECT_EQ(world().broadcast(what, 0), what);
    return what;
  }
  SharedDir dir_;
};

TEST_F(GatherRefusals, MissingFileFailsOnEveryRankAlike) {
  EXPECT_NE(open_error(dir_ / "missing.npy"), "(opened)");
}

TEST_F(GatherRefusals, UnknownFileFailsOnEveryRankAlike) {
  testing::write_on_root([&] { std::ofstream(dir_ / "notes.txt") << "not an image, just some words"; });
  EXPECT_NE(open_error(dir_ / "notes.txt").find("not a recognized image file"), std::string::npos);
}

TEST_F(GatherRefusals, TruncatedNpyFailsOnEveryRankAlike) {
  testing::write_on_root([&] {
    testing::write_npy(dir_ / "cut.npy", testing::RefArray::pattern({3, 8, 8}, DType::uint16));
    std::filesystem::resize_file(dir_ / "cut.npy", 200);
  });
  EXPECT_NE(open_error(dir_ / "cut.npy").find("truncated"), std::string::npos);
}

TEST_F(GatherRefusals, ABadChunkInAnyRoundFailsEveryRankAlike) {
  // The last chunk is corrupt: with one read a round it fails in the last round, after the
  // root took the others' earlier rounds; every rank must end with the same error.
  const ReferenceFile z = testing::write_reference_with_bad_last_chunk(dir_, "zarr_i32_zlib_nested_missing_chunks");
  const Array a = Array::open(z.path, MPI_COMM_WORLD);
  for (const int root : {0, ranks() - 1}) {
    RootPlacement placement(a.dtype(), a.shape(), root, {}, 1);
    std::string what = "(no error)";
    try {
      run_placement(placement, a.driver(), a.selection(), world(), ReadOptions{});
    } catch (const Error& e) {
      what = e.what();
    }
    EXPECT_NE(what.find("reading chunk"), std::string::npos) << what;
    EXPECT_EQ(world().broadcast(what, 0), what);
  }
}

TEST_F(GatherRefusals, SelectionOutsideTheArrayIsRefused) {
  const ReferenceFile file = testing::write_reference(dir_, "npy_u16_czyx");
  const Array a = Array::open(file.path, MPI_COMM_WORLD);
  EXPECT_THROW(a.select(parse_selection("Z=3")), Error);  // Z has 3 planes: 0..2
  EXPECT_THROW(a.select(parse_selection("T=0")), Error);  // no T axis
}

}  // namespace
}  // namespace strata
