// Array::read and Array::read_into in every layout over MPI, on files of every format written
// by reference writers: each rank's part is its box of the layout and holds exactly the
// reference array's bytes of that box; read_into lands in strided caller memory and touches
// nothing else; the parts streamed to rank 0 a plane at a time are the whole array; only
// what a rank decoded but does not own moves between ranks.
#include <cstring>

#include "mpi_test.hpp"
#include "strata/array.hpp"
#include "strata/error.hpp"
#include "strata/layout.hpp"
#include "strata/selection.hpp"

namespace strata {
namespace {

using testing::first_difference;
using testing::ReferenceFile;
using testing::SharedDir;

constexpr std::byte kUntouched{0xA5};

// `box` of a selection, in the file's coordinates.
Box in_file(Box box, const Array& array) {
  for (std::size_t i = 0; i < box.rank(); ++i) {
    box.start[i] += array.selection().start[i];
    box.stop[i] += array.selection().start[i];
  }
  return box;
}

// Every layout worth trying on an array of `shape` over `ranks` ranks.
std::vector<Layout> layouts(const Shape& shape, int ranks) {
  std::vector<Layout> out{Layout::root(0), Layout::root(ranks - 1), Layout::slab(), Layout::blocks(),
                          Layout::replicated()};
  for (std::size_t axis = 0; axis < shape.size(); ++axis) out.push_back(Layout::slab(static_cast<int>(axis)));
  // The caller's own decomposition: rank 0 holds nothing (when there are others), the last
  // rank the second half of the last axis, the others overlapping bands of the first axis.
  std::vector<Box> boxes(static_cast<std::size_t>(ranks), Box::whole(shape));
  for (int r = 0; r < ranks; ++r) {
    Box& b = boxes[static_cast<std::size_t>(r)];
    if (r == 0 && ranks > 1) {
      b.stop = b.start;
    } else if (r == ranks - 1) {
      b.start.back() = shape.back() / 2;
    } else {
      b.start[0] = shape[0] * (r - 1) / ranks;
      b.stop[0] = std::min(shape[0], shape[0] * (r + 1) / ranks + 1);
    }
  }
  out.push_back(Layout::boxes(boxes));
  return out;
}

class Layouts : public testing::MpiTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override { file_ = testing::write_reference(dir_, GetParam()); }

  // The reference bytes of `box` (file coordinates).
  std::vector<std::byte> want(const Box& box) const { return file_.array.slice(box); }

  // This rank's box of `layout` over `array`, in the file's coordinates.
  Box expected_box(const Array& array, const Layout& layout) const {
    return in_file(layout.boxes_for(array.shape(), ranks())[static_cast<std::size_t>(rank())], array);
  }

  // The selection as the ranks hold it in `layout`: zero where no rank holds an element.
  std::vector<std::byte> held(const Array& array, const Layout& layout) const {
    const DType dtype = file_.array.dtype;
    std::vector<std::byte> out(array.bytes(), std::byte{0});
    for (const Box& box : layout.boxes_for(array.shape(), ranks())) {
      if (box.empty()) continue;
      std::vector<std::byte> part = want(in_file(box, array));
      copy(View::contiguous(part.data(), dtype, box.shape()), View::contiguous(out.data(), dtype, array.shape()).sub(box));
    }
    return out;
  }

  // Reads `array` in `layout` and checks this rank's part, the planes rank 0 assembles from
  // every part, and the bytes moved.
  void expect_read(const Array& array, const Layout& layout) {
    SCOPED_TRACE("layout " + layout.to_string());
    Part part;
    ReadStats stats;
    ReadOptions options;
    options.threads = 2;
    EXPECT_NO_THROW(part = array.read(layout, options, &stats));
    const Box box = expected_box(array, layout);
    EXPECT_EQ(part.box().count(), box.count());
    if (!box.empty()) {
      EXPECT_EQ(part.box(), box);
      EXPECT_EQ(part.dtype(), file_.array.dtype);
      EXPECT_EQ(first_difference(part.bytes(), want(box), file_.array.element_bytes()), "") << box.to_string();
    }
    EXPECT_EQ(part.shared(), layout.kind == Layout::Kind::replicated);
    EXPECT_EQ(stats.rank_bytes_sent.size(), static_cast<std::size_t>(ranks()));
    EXPECT_EQ(stats.rank_peak_rss_bytes.size(), static_cast<std::size_t>(ranks()));
    if (layout.kind == Layout::Kind::replicated) { EXPECT_EQ(stats.bytes_moved, 0u); }
    if (layout.kind != Layout::Kind::boxes) { EXPECT_EQ(stats.bytes_moved, stats.bytes_not_owned); }
    if (ranks() == 1) { EXPECT_EQ(stats.bytes_moved, 0u); }

    // The whole selection, streamed to rank 0 a plane at a time.
    std::vector<std::byte> planes;
    array.gather_planes(part.view(), layout, [&](std::span<const std::byte> plane) {
      planes.insert(planes.end(), plane.begin(), plane.end());
    });
    if (rank() == 0) {
      EXPECT_EQ(first_difference(planes, held(array, layout), file_.array.element_bytes()), "");
    } else {
      EXPECT_TRUE(planes.empty());
    }
  }

  // read_into a sub-volume of a padded buffer: `pad` elements on each side of every axis.
  void expect_read_into_padded(const Array& array, const Layout& layout, std::int64_t pad) {
    SCOPED_TRACE("read_into " + layout.to_string() + ", padding " + std::to_string(pad));
    const Box box = array.part_box(layout);
    EXPECT_EQ(box, expected_box(array, layout));
    Shape padded = box.shape();
    for (auto& n : padded) n += 2 * pad;
    const std::size_t e = file_.array.element_bytes();
    std::vector<std::byte> memory(static_cast<std::size_t>(element_count(padded)) * e, kUntouched);
    Box inner = Box::whole(box.shape());
    for (std::size_t i = 0; i < inner.rank(); ++i) inner.start[i] += pad, inner.stop[i] += pad;
    const View dest = View::contiguous(memory.data(), file_.array.dtype, padded).sub(inner);
    EXPECT_NO_THROW(array.read_into(box.empty() ? View{} : dest, layout));
    if (box.empty()) return;
    // The interior holds the box; the halo is untouched.
    std::vector<std::byte> got(static_cast<std::size_t>(box.count()) * e);
    copy(dest, View::contiguous(got.data(), dest.dtype, dest.shape));
    EXPECT_EQ(first_difference(got, want(box), e), "");
    std::vector<std::byte> outside = memory;
    copy(View::contiguous(std::vector<std::byte>(got.size(), kUntouched).data(), dest.dtype, dest.shape),
         View::contiguous(outside.data(), file_.array.dtype, padded).sub(inner));
    EXPECT_EQ(first_difference(outside, std::vector<std::byte>(memory.size(), kUntouched), 1), "")
        << "the halo was written";
  }

  SharedDir dir_;
  ReferenceFile file_;
};

TEST_P(Layouts, EveryLayoutGivesEachRankItsBox) {
  const Array a = Array::open(file_.path, MPI_COMM_WORLD);
  for (const Layout& layout : layouts(a.shape(), ranks())) expect_read(a, layout);
}

TEST_P(Layouts, EveryLayoutOfASelection) {
  const Selection sel = parse_selection(testing::trimmed_selection(file_.dims, file_.array.shape));
  const Array part = Array::open(file_.path, MPI_COMM_WORLD).select(sel);
  for (const Layout& layout : layouts(part.shape(), ranks())) expect_read(part, layout);
}

TEST_P(Layouts, ReadIntoPaddedBuffersLeavesTheHaloAlone) {
  const Array a = Array::open(file_.path, MPI_COMM_WORLD);
  for (const Layout& layout : layouts(a.shape(), ranks())) expect_read_into_padded(a, layout, 2);
}

TEST_P(Layouts, ReadIntoASubVolumeOfTheWholeArray) {
  // Each rank's destination is its box inside its own copy of the whole array's shape.
  const Array a = Array::open(file_.path, MPI_COMM_WORLD);
  const std::size_t e = file_.array.element_bytes();
  for (const Layout& layout : {Layout::blocks(), Layout::slab(static_cast<int>(a.shape().size()) - 1)}) {
    SCOPED_TRACE(layout.to_string());
    const Box box = a.part_box(layout);
    std::vector<std::byte> whole(file_.array.bytes.size(), kUntouched);
    const View dest = View::contiguous(whole.data(), file_.array.dtype, a.shape()).sub(box);
    EXPECT_NO_THROW(a.read_into(box.empty() ? View{} : dest, layout));
    if (!box.empty()) { EXPECT_EQ(first_difference(whole, file_.array.only(box, kUntouched), e), ""); }
  }
}

INSTANTIATE_TEST_SUITE_P(Files, Layouts,
                         ::testing::Values("npy_u16_czyx", "tiff_u16_strips", "tiff_f32_deflate_tiles",
                                           "tiff_u16_rgb_big_endian", "zarr_u16_edge_chunks",
                                           "zarr_i32_zlib_nested_missing_chunks", "hdf5_u16_deflate_edge_chunks",
                                           "hdf5_i16_contiguous"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

class LayoutErrors : public testing::MpiTest {
 protected:
  void SetUp() override { file_ = testing::write_reference(dir_, "zarr_u16_edge_chunks"); }
  SharedDir dir_;
  ReferenceFile file_;
};

TEST_F(LayoutErrors, ADestinationOfTheWrongShapeOnOneRankFailsEveryRank) {
  const Array a = Array::open(file_.path, MPI_COMM_WORLD);
  const Layout layout = Layout::slab(0);
  Box box = a.part_box(layout);
  Shape shape = box.shape();
  if (rank() == ranks() - 1) shape.back() += 1;  // one rank's memory is one column too wide
  std::vector<std::byte> memory(static_cast<std::size_t>(element_count(shape)) * file_.array.element_bytes());
  try {
    a.read_into(View::contiguous(memory.data(), file_.array.dtype, shape), layout);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("destination"), std::string::npos) << e.what();
  }
}

TEST_F(LayoutErrors, AConsumerFailingOnTheRootFailsEveryRankWithoutHanging) {
  const Array a = Array::open(file_.path, MPI_COMM_WORLD);
  const Layout layout = Layout::slab(0);
  const Part part = a.read(layout);
  int planes = 0;
  try {
    a.gather_planes(part.view(), layout, [&](std::span<const std::byte>) {
      if (++planes == 2) throw Error("", "the consumer gave up");
    });
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("the consumer gave up"), std::string::npos) << e.what();
  }
  if (rank() == 0) { EXPECT_EQ(planes, 2); }  // not called again after failing
}

TEST_F(LayoutErrors, LayoutsThatDoNotFitFailEveryRankAlike) {
  const Array a = Array::open(file_.path, MPI_COMM_WORLD);
  EXPECT_THROW(a.read(Layout::root(ranks())), Error);
  EXPECT_THROW(a.read(Layout::blocks(std::vector<int>(a.shape().size(), ranks() + 1))), Error);
  EXPECT_THROW(a.read(Layout::boxes({})), Error);
  ReadOptions options;
  options.root = ranks();
  EXPECT_THROW(a.gather(options), Error);
}

}  // namespace
}  // namespace strata
