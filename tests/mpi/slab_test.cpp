// Array::read_slab over MPI: the ranks' runs of planes are disjoint, follow each other in
// rank order and cover every plane; each rank holds exactly the written array's bytes of
// its planes.
#include <algorithm>

#include "mpi_test.hpp"
#include "strata/array.hpp"
#include "strata/error.hpp"
#include "strata/selection.hpp"
#include "strata/slab.hpp"

namespace strata {
namespace {

using testing::first_difference;
using testing::ReferenceFile;
using testing::SharedDir;

class SlabRead : public testing::MpiTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override { file_ = testing::write_reference(dir_, GetParam()); }

  // Reads `array` (whose elements are `want`, C order) in slabs and checks the layout and
  // this rank's bytes.
  void expect_slabs(const Array& array, const std::vector<std::byte>& want, ReadOptions options = {}) {
    Slab slab;
    EXPECT_NO_THROW(slab = array.read_slab(options));
    const Shape shape = array.shape();
    const int axes = plane_axes(file_.dims, shape.size());
    const std::int64_t planes = plane_count(shape, axes);
    EXPECT_EQ(slab.shape, shape);
    EXPECT_EQ(slab.dtype, file_.array.dtype);
    EXPECT_EQ(slab.plane_axes, axes);

    // Every rank's run, in rank order: each starts where the one before ended.
    const auto begins = testing::all_gather(slab.plane_begin);
    const auto ends = testing::all_gather(slab.plane_end);
    EXPECT_EQ(begins.front(), 0);
    EXPECT_EQ(ends.back(), planes);
    for (std::size_t r = 0; r < begins.size(); ++r) {
      EXPECT_LE(begins[r], ends[r]) << "rank " << r;
      if (r > 0) {
        EXPECT_EQ(begins[r], ends[r - 1]) << "rank " << r << " does not start where rank " << r - 1 << " ended";
      }
    }

    const std::size_t plane_bytes = want.size() / static_cast<std::size_t>(planes);
    EXPECT_EQ(slab.plane_bytes(), plane_bytes);
    EXPECT_EQ(slab.data.size(), static_cast<std::size_t>(slab.planes()) * plane_bytes);
    if (slab.plane_begin < 0 || slab.plane_end > planes || slab.plane_begin > slab.plane_end) return;
    const std::span<const std::byte> mine(want.data() + slab.plane_begin * plane_bytes,
                                          static_cast<std::size_t>(slab.planes()) * plane_bytes);
    EXPECT_EQ(first_difference(slab.data.bytes(), mine, file_.array.element_bytes()), "")
        << "planes " << slab.plane_begin << "-" << slab.plane_end;
  }

  SharedDir dir_;
  ReferenceFile file_;
};

TEST_P(SlabRead, WholeArray) {
  ReadOptions options;
  options.threads = 2;
  expect_slabs(Array::open(file_.path, MPI_COMM_WORLD), file_.array.bytes, options);
}

TEST_P(SlabRead, Selection) {
  const Selection sel = parse_selection(testing::trimmed_selection(file_.dims, file_.array.shape));
  const Array part = Array::open(file_.path, MPI_COMM_WORLD).select(sel);
  expect_slabs(part, file_.array.slice(resolve(sel, file_.dims, file_.array.shape)));
}

TEST_P(SlabRead, ViewsOfTheSlabsBoxesHoldThoseElements) {
  const Array a = Array::open(file_.path, MPI_COMM_WORLD);
  Slab slab = a.read_slab();
  for (const Box& box : slab.boxes()) {
    const View view = slab.view(box);
    std::vector<std::byte> got(view.bytes());
    copy(view, View::contiguous(got.data(), view.dtype, view.shape));
    EXPECT_EQ(first_difference(got, file_.array.slice(box), file_.array.element_bytes()), "") << box.to_string();
  }
}

INSTANTIATE_TEST_SUITE_P(Files, SlabRead,
                         ::testing::Values("npy_u16_czyx", "npy_i64_yx_v3", "tiff_u16_strips", "tiff_u16_rgb_big_endian",
                                           "zarr_u16_edge_chunks", "zarr_f64_order_f_big_endian",
                                           "hdf5_u16_deflate_edge_chunks", "hdf5_i16_contiguous"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace strata
