// The arithmetic kernels of delayed expressions: element-wise operators with NumPy's
// wrap-around, conversions, and the reduction fold/combine/finish against an element-by-element
// reference, over blocks placed anywhere in the array and any set of reduced axes.
#include "compute/kernels.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "strata/grid.hpp"

namespace strata::compute {
namespace {

template <typename T>
const std::byte* bytes(const std::vector<T>& v) {
  return reinterpret_cast<const std::byte*>(v.data());
}
template <typename T>
std::byte* bytes(std::vector<T>& v) {
  return reinterpret_cast<std::byte*>(v.data());
}

TEST(Kernels, IntegerOperatorsWrapAroundAsNumpy) {
  std::vector<std::uint16_t> a{65535, 2, 300}, b{2, 3, 300}, out(3);
  apply(BinaryOp::multiply, DType::uint16, bytes(a), false, bytes(b), false, bytes(out), 3);
  EXPECT_EQ(out, (std::vector<std::uint16_t>{65534, 6, 24464}));  // 90000 mod 65536
  apply(BinaryOp::subtract, DType::uint16, bytes(b), false, bytes(a), false, bytes(out), 3);
  EXPECT_EQ(out, (std::vector<std::uint16_t>{3, 1, 0}));
  std::vector<std::int8_t> c{127, -128}, one{1}, r(2);
  apply(BinaryOp::add, DType::int8, bytes(c), false, bytes(one), true, bytes(r), 2);
  EXPECT_EQ(r, (std::vector<std::int8_t>{-128, -127}));
}

TEST(Kernels, ScalarOperandsOnEitherSide) {
  std::vector<float> a{1, 2, 4}, out(3);
  const float ten = 10;
  apply(BinaryOp::divide, DType::float32, reinterpret_cast<const std::byte*>(&ten), true, bytes(a), false, bytes(out),
        3);
  EXPECT_EQ(out, (std::vector<float>{10, 5, 2.5f}));
  apply(BinaryOp::subtract, DType::float32, bytes(a), false, reinterpret_cast<const std::byte*>(&ten), true,
        bytes(out), 3);
  EXPECT_EQ(out, (std::vector<float>{-9, -8, -6}));
}

TEST(Kernels, ConvertsBetweenDtypes) {
  std::vector<std::uint8_t> a{0, 200, 255};
  std::vector<std::int16_t> s(3);
  convert(DType::uint8, bytes(a), DType::int16, bytes(s), 3);
  EXPECT_EQ(s, (std::vector<std::int16_t>{0, 200, 255}));
  std::vector<std::int32_t> i{-7, 1 << 30};
  std::vector<double> d(2);
  convert(DType::int32, bytes(i), DType::float64, bytes(d), 2);
  EXPECT_EQ(d, (std::vector<double>{-7.0, 1073741824.0}));
}

// Reduces `input` (C order, `shape`) over `axes` element by element, in double.
std::vector<double> reference(const std::vector<double>& input, const Shape& shape, const std::vector<bool>& reduced,
                              ReduceOp op) {
  Shape out_shape;
  for (std::size_t i = 0; i < shape.size(); ++i)
    if (!reduced[i]) out_shape.push_back(shape[i]);
  const double init = op == ReduceOp::max   ? -INFINITY
                      : op == ReduceOp::min ? INFINITY
                                            : 0.0;
  std::vector<double> out(static_cast<std::size_t>(element_count(out_shape)), init);
  std::vector<std::int64_t> counts(out.size(), 0);
  for (std::int64_t k = 0; k < element_count(shape); ++k) {
    const Index at = unravel(k, shape);
    Index o;
    for (std::size_t i = 0; i < shape.size(); ++i)
      if (!reduced[i]) o.push_back(at[i]);
    const auto j = static_cast<std::size_t>(linear_index(o, out_shape));
    const double v = input[static_cast<std::size_t>(k)];
    out[j] = op == ReduceOp::max ? std::max(out[j], v) : op == ReduceOp::min ? std::min(out[j], v) : out[j] + v;
    ++counts[j];
  }
  if (op == ReduceOp::mean)
    for (std::size_t j = 0; j < out.size(); ++j) out[j] /= static_cast<double>(counts[j]);
  return out;
}

// Folds `input` as blocks of `block` elements per axis (edge blocks clipped), each into
// its own of two partial accumulators in turn, combines them and finishes.
template <typename In, typename Out>
std::vector<Out> fold_in_blocks(const std::vector<In>& input, DType in_type, const Shape& shape,
                                const std::vector<bool>& reduced, ReduceOp op, DType out_type, const Shape& block) {
  Shape out_shape;
  for (std::size_t i = 0; i < shape.size(); ++i)
    if (!reduced[i]) out_shape.push_back(shape[i]);
  const std::vector<std::int64_t> out_strides = c_strides(out_shape);
  std::vector<std::int64_t> strides(shape.size(), 0);
  for (std::size_t i = 0, kept = 0; i < shape.size(); ++i)
    if (!reduced[i]) strides[i] = out_strides[kept++];
  const DType acc = accumulator(op, in_type);
  const auto count = static_cast<std::size_t>(element_count(out_shape));
  std::vector<std::vector<std::byte>> partial(2, std::vector<std::byte>(count * size_of(acc)));
  for (auto& p : partial) identity(op, acc, p.data(), count);

  const ChunkGrid grid{shape, block};
  const Box positions = Box::whole(grid.extent());
  Index at = positions.start;
  int turn = 0;
  do {
    const Box box = grid.box(at);
    std::vector<In> piece;  // the block's elements, C order
    Index e = box.start;
    do piece.push_back(input[static_cast<std::size_t>(linear_index(e, shape))]);
    while (next_in(e, box));
    std::int64_t origin = 0;
    for (std::size_t k = 0; k < shape.size(); ++k) origin += box.start[k] * strides[k];
    fold(op, in_type, bytes(piece), box.shape(), acc, partial[turn].data() + origin * size_of(acc), strides);
    turn ^= 1;
  } while (next_in(at, positions));
  combine(op, acc, partial[1].data(), partial[0].data(), count);
  std::vector<Out> out(count);
  const std::int64_t folded = element_count(shape) / static_cast<std::int64_t>(count);
  finish(op, acc, partial[0].data(), out_type, bytes(out), count, folded);
  return out;
}

std::vector<std::vector<bool>> every_axis_set(std::size_t rank) {
  std::vector<std::vector<bool>> sets;
  for (unsigned mask = 1; mask < (1u << rank); ++mask) {
    std::vector<bool> s(rank);
    for (std::size_t i = 0; i < rank; ++i) s[i] = (mask >> i) & 1u;
    sets.push_back(s);
  }
  return sets;
}

TEST(Kernels, FoldsUint16OverEveryAxisSetExactly) {
  const Shape shape{5, 7, 9};
  std::vector<std::uint16_t> input(5 * 7 * 9);
  std::vector<double> as_double(input.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    input[i] = static_cast<std::uint16_t>((i * 7919u + 13u) % 65536u);
    as_double[i] = input[i];
  }
  for (const auto& reduced : every_axis_set(3)) {
    for (ReduceOp op : {ReduceOp::max, ReduceOp::min}) {
      const auto got = fold_in_blocks<std::uint16_t, std::uint16_t>(input, DType::uint16, shape, reduced, op,
                                                                     DType::uint16, {2, 3, 4});
      const auto want = reference(as_double, shape, reduced, op);
      ASSERT_EQ(got.size(), want.size());
      for (std::size_t j = 0; j < got.size(); ++j) EXPECT_EQ(got[j], want[j]) << name(op) << " element " << j;
    }
    const auto sums = fold_in_blocks<std::uint16_t, std::uint64_t>(input, DType::uint16, shape, reduced,
                                                                    ReduceOp::sum, DType::uint64, {3, 2, 5});
    const auto want = reference(as_double, shape, reduced, ReduceOp::sum);
    for (std::size_t j = 0; j < sums.size(); ++j) EXPECT_EQ(static_cast<double>(sums[j]), want[j]);
  }
}

TEST(Kernels, SumsSignedIntegersInInt64) {
  const Shape shape{4, 3};
  std::vector<std::int8_t> input{-128, -128, -128, -128, -128, -128, 127, 127, 127, -1, 0, 1};
  const auto got = fold_in_blocks<std::int8_t, std::int64_t>(input, DType::int8, shape, {true, false}, ReduceOp::sum,
                                                             DType::int64, {1, 3});
  EXPECT_EQ(got, (std::vector<std::int64_t>{-130, -129, -128}));
}

TEST(Kernels, MeansOfFloat32AccumulateInFloat64) {
  const Shape shape{1000, 2};
  std::vector<float> input(2000);
  for (std::size_t i = 0; i < input.size(); ++i) input[i] = i % 2 ? 0.1f : 1e4f + static_cast<float>(i % 7);
  std::vector<double> as_double(input.begin(), input.end());
  const auto got = fold_in_blocks<float, float>(input, DType::float32, shape, {true, false}, ReduceOp::mean,
                                                DType::float32, {7, 2});
  const auto want = reference(as_double, shape, {true, false}, ReduceOp::mean);
  for (std::size_t j = 0; j < 2; ++j) EXPECT_EQ(got[j], static_cast<float>(want[j]));
}

TEST(Kernels, ANanWinsMaxAndMin) {
  const Shape shape{3, 2};
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> input{1, nan, nan, 2, 3, 4};
  for (ReduceOp op : {ReduceOp::max, ReduceOp::min}) {
    const auto got = fold_in_blocks<float, float>(input, DType::float32, shape, {true, false}, op, DType::float32,
                                                  {1, 2});
    EXPECT_TRUE(std::isnan(got[0]) && std::isnan(got[1])) << name(op);
  }
}

TEST(Kernels, IdentitiesAreTheExtremes) {
  std::vector<std::int16_t> v(2);
  identity(ReduceOp::max, DType::int16, bytes(v), 2);
  EXPECT_EQ(v[0], std::numeric_limits<std::int16_t>::lowest());
  identity(ReduceOp::min, DType::int16, bytes(v), 2);
  EXPECT_EQ(v[1], std::numeric_limits<std::int16_t>::max());
  std::vector<double> d(1);
  identity(ReduceOp::max, DType::float64, bytes(d), 1);
  EXPECT_EQ(d[0], -INFINITY);
}

}  // namespace
}  // namespace strata::compute
