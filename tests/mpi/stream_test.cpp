// Array::planes over MPI: each rank's windows follow each other in plane order, cover its
// run of planes exactly, hold the written array's bytes, stay within the window size (or
// one group) and step in lockstep; a failing read fails every rank alike.
#include <algorithm>

#include "mpi_test.hpp"
#include "strata/array.hpp"
#include "strata/error.hpp"
#include "strata/selection.hpp"
#include "strata/slab.hpp"
#include "strata/stream.hpp"

namespace strata {
namespace {

using testing::first_difference;
using testing::ReferenceFile;
using testing::SharedDir;

class Stream : public testing::MpiTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override { file_ = testing::write_reference(dir_, GetParam()); }

  void expect_windows(const Array& array, const std::vector<std::byte>& want, StreamOptions options) {
    const Shape shape = array.shape();
    const int axes = plane_axes(file_.dims, shape.size());
    const std::int64_t planes = plane_count(shape, axes);
    const std::size_t plane_bytes = want.size() / static_cast<std::size_t>(planes);
    PlaneStream stream = array.planes(options);
    const auto& bounds = stream.plane_bounds();
    EXPECT_EQ(bounds.size(), static_cast<std::size_t>(ranks()) + 1);
    EXPECT_EQ(bounds.front(), 0);
    EXPECT_EQ(bounds.back(), planes);
    const std::int64_t mine_begin = bounds[rank()], mine_end = bounds[rank() + 1];
    std::int64_t at = mine_begin, steps = 0;
    const std::int64_t max_planes =
        std::max<std::int64_t>(1, static_cast<std::int64_t>(options.window_bytes / plane_bytes));
    while (stream.next()) {
      ++steps;
      const View& w = stream.window();
      EXPECT_EQ(stream.plane_begin(), std::min(at, mine_end));
      const std::int64_t n = stream.plane_end() - stream.plane_begin();
      EXPECT_EQ(w.bytes(), static_cast<std::size_t>(n) * plane_bytes);
      if (options.plane_group == 1) {
        EXPECT_LE(n, max_planes);
      }
      if (n > 0 && stream.plane_begin() >= 0 && stream.plane_end() <= planes) {
        const std::span<const std::byte> got(w.data, w.bytes());
        const std::span<const std::byte> expected(want.data() + stream.plane_begin() * plane_bytes, w.bytes());
        EXPECT_EQ(first_difference(got, expected, file_.array.element_bytes()), "")
            << "planes " << stream.plane_begin() << "-" << stream.plane_end();
      }
      at = std::max(at, stream.plane_end());
    }
    EXPECT_EQ(at, mine_end) << "this rank's windows end at plane " << at;
    EXPECT_EQ(steps, stream.window_count());
    const auto all_steps = testing::all_gather(steps);
    EXPECT_TRUE(std::all_of(all_steps.begin(), all_steps.end(), [&](std::int64_t s) { return s == steps; }));
  }

  SharedDir dir_;
  ReferenceFile file_;
};

TEST_P(Stream, WindowsOfOnePlaneWithAndWithoutPrefetch) {
  const Array a = Array::open(file_.path, MPI_COMM_WORLD);
  const std::size_t plane_bytes = a.bytes() / static_cast<std::size_t>(plane_count(a.shape(), plane_axes(file_.dims, a.shape().size())));
  for (bool prefetch : {true, false}) {
    StreamOptions options;
    options.window_bytes = plane_bytes;
    options.prefetch = prefetch;
    expect_windows(a, file_.array.bytes, options);
  }
}

TEST_P(Stream, LargerWindowsAndASelection) {
  const Selection sel = parse_selection(testing::trimmed_selection(file_.dims, file_.array.shape));
  const Array part = Array::open(file_.path, MPI_COMM_WORLD).select(sel);
  StreamOptions options;
  options.window_bytes = 3 * part.bytes() / 7 + 1;
  options.read.threads = 2;
  expect_windows(part, file_.array.slice(resolve(sel, file_.dims, file_.array.shape)), options);
}

TEST_P(Stream, GroupsOfPlanesStayTogether) {
  const Array a = Array::open(file_.path, MPI_COMM_WORLD);
  StreamOptions options;
  options.window_bytes = 1;
  options.plane_group = 2;
  expect_windows(a, file_.array.bytes, options);
}

TEST_P(Stream, ProgressReachesTheWholeArrayOnEveryRank) {
  const Array a = Array::open(file_.path, MPI_COMM_WORLD);
  StreamOptions options;
  options.window_bytes = 1;
  std::uint64_t last = 0, calls = 0;
  options.read.progress = [&](const Progress& p) {
    EXPECT_GE(p.bytes_done, last);
    EXPECT_EQ(p.bytes_total, a.bytes());
    last = p.bytes_done;
    ++calls;
  };
  PlaneStream stream = a.planes(options);
  while (stream.next()) {
  }
  EXPECT_EQ(last, a.bytes());
  EXPECT_EQ(calls, static_cast<std::uint64_t>(stream.window_count()));
}

INSTANTIATE_TEST_SUITE_P(Files, Stream,
                         ::testing::Values("npy_u16_czyx", "tiff_u16_strips", "tiff_u16_rgb_big_endian",
                                           "zarr_u16_edge_chunks", "hdf5_u16_deflate_edge_chunks"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace strata
