// Delayed reductions and arithmetic over MPI (strata/expression.hpp): files written by the
// reference writers, reduced over every single axis, a pair of axes and all axes, at 1-4
// ranks, against a reference computed here element by element. Integer max, min and sum
// are exact; float sums and means within a tolerance scaled by the sum of magnitudes (the
// order of accumulation differs). A bad chunk on one rank fails every rank alike.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "mpi_test.hpp"
#include "strata/array.hpp"
#include "strata/error.hpp"
#include "strata/expression.hpp"
#include "strata/grid.hpp"

namespace strata {
namespace {

using testing::ReferenceFile;
using testing::SharedDir;
using testing::world;

// The elements of a reference array as long double (exact for every dtype but 64-bit integers
// beyond 2^64's mantissa, which the integer paths below do not use).
template <typename T>
std::vector<T> elements(const testing::RefArray& a) {
  std::vector<T> out(a.bytes.size() / sizeof(T));
  std::memcpy(out.data(), a.bytes.data(), a.bytes.size());
  return out;
}

// The reduction of `in` (of `shape`) over `axes`, as NumPy defines it: T's max/min, sums of
// integers wrapping in 64 bits, float sums and means in long double. Also the sum of
// magnitudes folded into each output element (for float tolerances).
template <typename T, typename Out>
std::vector<Out> reference(const std::vector<T>& in, const Shape& shape, const std::vector<int>& axes, ReduceOp op,
                           std::vector<long double>* magnitude) {
  Shape out_shape;
  for (std::size_t i = 0; i < shape.size(); ++i)
    if (std::find(axes.begin(), axes.end(), static_cast<int>(i)) == axes.end()) out_shape.push_back(shape[i]);
  const auto n = static_cast<std::size_t>(element_count(out_shape));
  std::vector<T> extreme(n);
  std::vector<bool> seen(n, false);
  std::vector<std::uint64_t> wrapped(n, 0);
  std::vector<long double> total(n, 0), abs_total(n, 0);
  std::vector<std::int64_t> count(n, 0);
  for (std::int64_t k = 0; k < element_count(shape); ++k) {
    const Index at = unravel(k, shape);
    Index o;
    for (std::size_t i = 0; i < shape.size(); ++i)
      if (std::find(axes.begin(), axes.end(), static_cast<int>(i)) == axes.end()) o.push_back(at[i]);
    const auto j = static_cast<std::size_t>(linear_index(o, out_shape));
    const T v = in[static_cast<std::size_t>(k)];
    if (!seen[j]) extreme[j] = v;
    if (op == ReduceOp::max && v > extreme[j]) extreme[j] = v;
    if (op == ReduceOp::min && v < extreme[j]) extreme[j] = v;
    seen[j] = true;
    if constexpr (std::is_integral_v<T>) wrapped[j] += static_cast<std::uint64_t>(static_cast<std::int64_t>(v));
    total[j] += static_cast<long double>(v);
    abs_total[j] += std::fabs(static_cast<long double>(v));
    ++count[j];
  }
  std::vector<Out> out(n);
  for (std::size_t j = 0; j < n; ++j) {
    if (op == ReduceOp::max || op == ReduceOp::min)
      out[j] = static_cast<Out>(extreme[j]);
    else if (op == ReduceOp::sum && std::is_integral_v<Out>)
      out[j] = static_cast<Out>(wrapped[j]);
    else if (op == ReduceOp::sum)
      out[j] = static_cast<Out>(total[j]);
    else
      out[j] = static_cast<Out>(total[j] / static_cast<long double>(count[j]));
    if (op == ReduceOp::mean) abs_total[j] /= static_cast<long double>(count[j]);
  }
  if (magnitude) *magnitude = abs_total;
  return out;
}

template <typename Out>
void expect_matches(const Buffer& got, const std::vector<Out>& want, const std::vector<long double>& magnitude,
                    ReduceOp op) {
  ASSERT_EQ(got.size(), want.size() * sizeof(Out));
  std::vector<Out> values(want.size());
  std::memcpy(values.data(), got.data(), got.size());
  const long double tolerance = std::is_same_v<Out, float> ? 1e-5L : 1e-12L;
  for (std::size_t j = 0; j < want.size(); ++j) {
    if (std::is_integral_v<Out> || op == ReduceOp::max || op == ReduceOp::min) {
      ASSERT_EQ(values[j], want[j]) << "element " << j;
    } else {
      ASSERT_LE(std::fabs(static_cast<long double>(values[j]) - static_cast<long double>(want[j])),
                tolerance * (magnitude[j] + 1))
          << "element " << j;
    }
  }
}

template <typename T>
void check_reduction(const Expression& e, const testing::RefArray& ref, const std::vector<int>& axes, ReduceOp op,
                     const Buffer& got) {
  const std::vector<T> in = elements<T>(ref);
  std::vector<long double> magnitude;
  const DType out = reduce_result(op, ref.dtype);
  SCOPED_TRACE(e.to_string());
  switch (out) {
    case DType::uint64: return expect_matches(got, reference<T, std::uint64_t>(in, ref.shape, axes, op, &magnitude),
                                              magnitude, op);
    case DType::int64: return expect_matches(got, reference<T, std::int64_t>(in, ref.shape, axes, op, &magnitude),
                                             magnitude, op);
    case DType::float32: return expect_matches(got, reference<T, float>(in, ref.shape, axes, op, &magnitude),
                                               magnitude, op);
    case DType::float64: return expect_matches(got, reference<T, double>(in, ref.shape, axes, op, &magnitude),
                                               magnitude, op);
    default: return expect_matches(got, reference<T, T>(in, ref.shape, axes, op, &magnitude), magnitude, op);
  }
}

void check(const Expression& e, const testing::RefArray& ref, const std::vector<int>& axes, ReduceOp op,
           const Buffer& got) {
  switch (ref.dtype) {
    case DType::uint8: return check_reduction<std::uint8_t>(e, ref, axes, op, got);
    case DType::uint16: return check_reduction<std::uint16_t>(e, ref, axes, op, got);
    case DType::int16: return check_reduction<std::int16_t>(e, ref, axes, op, got);
    case DType::int32: return check_reduction<std::int32_t>(e, ref, axes, op, got);
    case DType::int64: return check_reduction<std::int64_t>(e, ref, axes, op, got);
    case DType::float32: return check_reduction<float>(e, ref, axes, op, got);
    case DType::float64: return check_reduction<double>(e, ref, axes, op, got);
    default: FAIL() << "no reference for " << name(ref.dtype);
  }
}

class Reduce : public testing::MpiTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override { file_ = testing::write_reference(dir_, GetParam()); }
  SharedDir dir_;
  ReferenceFile file_;
};

TEST_P(Reduce, EveryOpOverEachAxisAPairAndAllAxes) {
  const Expression e(Array::open(file_.path, MPI_COMM_WORLD));
  const auto rank_count = static_cast<int>(e.shape().size());
  std::vector<std::vector<int>> axis_sets;
  for (int a = 0; a < rank_count; ++a) axis_sets.push_back({a});
  if (rank_count > 2) axis_sets.push_back({0, rank_count - 1});
  axis_sets.push_back({});
  for (const auto& axes : axis_sets) {
    for (ReduceOp op : {ReduceOp::max, ReduceOp::min, ReduceOp::sum, ReduceOp::mean}) {
      const Expression r = reduce(op, e, axes);
      ReadOptions options;
      options.root = ranks() - 1;
      options.threads = 2;
      Buffer got;
      EXPECT_NO_THROW(got = r.gather(options));
      std::vector<int> all = axes;
      if (all.empty())
        for (int a = 0; a < rank_count; ++a) all.push_back(a);
      if (rank() == options.root)
        check(r, file_.array, all, op, got);
      else
        EXPECT_EQ(got.size(), 0u);
    }
  }
}

TEST_P(Reduce, ReplicatedResultsAreOnEveryRank) {
  const Expression e(Array::open(file_.path, MPI_COMM_WORLD));
  const Expression r = max(e, {0});
  const Buffer got = r.replicate();
  check(r, file_.array, {0}, ReduceOp::max, got);
}

INSTANTIATE_TEST_SUITE_P(Files, Reduce,
                         ::testing::Values("npy_u16_czyx", "npy_f32_big_endian_v2", "npy_i64_yx_v3", "tiff_u16_strips",
                                           "tiff_f32_deflate_tiles", "zarr_u16_edge_chunks",
                                           "zarr_i32_zlib_nested_missing_chunks", "zarr_f64_order_f_big_endian",
                                           "hdf5_u16_deflate_edge_chunks", "hdf5_i16_contiguous"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

class Arithmetic : public testing::MpiTest {
 protected:
  SharedDir dir_;
};

// Two arrays of the same shape but different chunks and formats: the Zarr one drives, the
// npy one is read region by region.
TEST_F(Arithmetic, ArraysOfDifferentChunkingsCombineElementWise) {
  const ReferenceFile z = testing::write_reference(dir_, "zarr_u16_edge_chunks");  // uint16 (7, 33, 35)
  testing::RefArray other = testing::RefArray::pattern({7, 33, 35}, DType::int16, 5);
  testing::write_on_root([&] { testing::write_npy(dir_ / "other.npy", other); });
  const Expression a(Array::open(z.path, MPI_COMM_WORLD));
  const Expression b(Array::open(dir_ / "other.npy", MPI_COMM_WORLD));
  const auto av = elements<std::uint16_t>(z.array);
  const auto bv = elements<std::int16_t>(other);

  const Expression diff = a - b * 3;  // uint16 - int16 -> int32, wrapping as NumPy's
  EXPECT_EQ(diff.dtype(), DType::int32);
  ReadOptions options;
  options.root = ranks() - 1;
  Buffer got = diff.gather(options);
  if (rank() == options.root) {
    ASSERT_EQ(got.size(), av.size() * 4);
    std::vector<std::int32_t> values(av.size());
    std::memcpy(values.data(), got.data(), got.size());
    for (std::size_t i = 0; i < av.size(); ++i) {
      const auto tripled = static_cast<std::int16_t>(static_cast<std::uint16_t>(bv[i]) * 3u);
      ASSERT_EQ(values[i], static_cast<std::int32_t>(av[i]) - tripled) << "element " << i;
    }
  }

  const Expression ratio = a / 2;  // true division: float64
  EXPECT_EQ(ratio.dtype(), DType::float64);
  const Slab slab = ratio.read_slab();
  const std::vector<Box> boxes = slab.boxes();
  std::int64_t at = 0;
  for (const Box& box : boxes) {
    Index e = box.start;
    do {
      double v = 0;
      std::memcpy(&v, slab.data.data() + at * 8, 8);
      ASSERT_EQ(v, av[static_cast<std::size_t>(linear_index(e, z.array.shape))] / 2.0);
      ++at;
    } while (next_in(e, box));
  }

  // A reduction of an element-wise expression: the maximum over Z of a·0.5 (float64).
  const Buffer mip = max(a * 0.5, {0}).replicate();
  std::vector<double> want(33 * 35, -INFINITY);
  for (std::size_t i = 0; i < av.size(); ++i) want[i % want.size()] = std::max(want[i % want.size()], av[i] * 0.5);
  ASSERT_EQ(mip.size(), want.size() * 8);
  EXPECT_EQ(std::memcmp(mip.data(), want.data(), mip.size()), 0);
}

// Element-wise results replicated on every rank, and written from slabs by the npy writer.
TEST_F(Arithmetic, ElementWiseResultsReplicateAndWrite) {
  const ReferenceFile t = testing::write_reference(dir_, "tiff_u16_strips");  // uint16 (1, 1, 5, 23, 37)
  const Expression a(Array::open(t.path, MPI_COMM_WORLD));
  const Expression e = 1000 - a;  // uint16, wrapping
  const auto av = elements<std::uint16_t>(t.array);
  std::vector<std::uint16_t> want(av.size());
  for (std::size_t i = 0; i < av.size(); ++i) want[i] = static_cast<std::uint16_t>(1000 - av[i]);
  const Buffer everywhere = e.replicate();
  ASSERT_EQ(everywhere.size(), want.size() * 2);
  EXPECT_EQ(std::memcmp(everywhere.data(), want.data(), everywhere.size()), 0);

  const WriteStats written = e.write(dir_ / "e.npy");
  EXPECT_EQ(written.format, "npy");
  std::string got_bytes;
  testing::write_on_root([&] {
    const std::vector<std::byte> data = testing::read_npy_data(dir_ / "e.npy");
    got_bytes.assign(reinterpret_cast<const char*>(data.data()), data.size());
  });
  got_bytes = world().broadcast(got_bytes, 0);
  ASSERT_EQ(got_bytes.size(), want.size() * 2);
  EXPECT_EQ(std::memcmp(got_bytes.data(), want.data(), got_bytes.size()), 0);
}

TEST_F(Arithmetic, BadOperandsAreRefusedWhenBuilt) {
  const ReferenceFile z = testing::write_reference(dir_, "zarr_u16_edge_chunks");
  const ReferenceFile t = testing::write_reference(dir_, "tiff_u16_strips");
  const Expression a(Array::open(z.path, MPI_COMM_WORLD));
  const Expression b(Array::open(t.path, MPI_COMM_WORLD));
  EXPECT_THROW(a + b, Error);          // (7, 33, 35) and (1, 1, 5, 23, 37)
  EXPECT_THROW(a + 70000, Error);      // NEP 50: does not fit uint16
  EXPECT_THROW(a - (-1), Error);
  EXPECT_NO_THROW(a + 65535);
  EXPECT_THROW(max(a, {3}), Error);    // no such axis
  EXPECT_THROW(max(a, {0, 0}), Error);
  EXPECT_THROW(max(a, {0}) + 1, Error);  // a reduction as an operand
  EXPECT_THROW(max(a, {0}).read_slab(), Error);
  EXPECT_EQ(axes_of(a, std::string{a.dims()[2], a.dims()[0]}), (std::vector<int>{2, 0}));
  EXPECT_THROW(axes_of(a, "Q"), Error);
  ReadOptions bad_root;
  bad_root.root = ranks();
  EXPECT_THROW(max(a, {0}).gather(bad_root), Error);
}

TEST_F(Arithmetic, ABadChunkFailsEveryRankWithTheSameError) {
  const ReferenceFile z = testing::write_reference_with_bad_last_chunk(dir_, "zarr_i32_zlib_nested_missing_chunks");
  const Expression e(Array::open(z.path, MPI_COMM_WORLD));
  std::string what = "(no error)";
  try {
    sum(e * 2, {0}).gather();
  } catch (const Error& err) {
    what = err.what();
  }
  EXPECT_NE(what.find("reading chunk"), std::string::npos) << what;
  EXPECT_EQ(world().broadcast(what, 0), what);
}

}  // namespace
}  // namespace strata
