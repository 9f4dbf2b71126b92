// NumPy's type promotion as strata's delayed expressions apply it. The array-with-array table
// is np.promote_types as NumPy 1.24 prints it (unchanged in NumPy 2); the scalar rules are
// NEP 50's (NumPy 2).
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <string>
#include <utility>

#include "compute/kernels.hpp"
#include "strata/error.hpp"
#include "strata/expression.hpp"

namespace strata {
namespace {

constexpr std::array<const char*, 10> kNames{"uint8", "uint16", "uint32", "uint64", "int8",
                                             "int16", "int32",  "int64",  "float32", "float64"};

// Row: a; columns: b in kNames order; printed by numpy.promote_types(a, b).
const std::array<std::array<const char*, 10>, 10> kNumpyPromote{{
    {"uint8", "uint16", "uint32", "uint64", "int16", "int16", "int32", "int64", "float32", "float64"},
    {"uint16", "uint16", "uint32", "uint64", "int32", "int32", "int32", "int64", "float32", "float64"},
    {"uint32", "uint32", "uint32", "uint64", "int64", "int64", "int64", "int64", "float64", "float64"},
    {"uint64", "uint64", "uint64", "uint64", "float64", "float64", "float64", "float64", "float64", "float64"},
    {"int16", "int32", "int64", "float64", "int8", "int16", "int32", "int64", "float32", "float64"},
    {"int16", "int32", "int64", "float64", "int16", "int16", "int32", "int64", "float32", "float64"},
    {"int32", "int32", "int64", "float64", "int32", "int32", "int32", "int64", "float64", "float64"},
    {"int64", "int64", "int64", "float64", "int64", "int64", "int64", "int64", "float64", "float64"},
    {"float32", "float32", "float64", "float64", "float32", "float32", "float64", "float64", "float32", "float64"},
    {"float64", "float64", "float64", "float64", "float64", "float64", "float64", "float64", "float64", "float64"},
}};

TEST(Promotion, ArraysPromoteAsNumpyPromoteTypes) {
  for (std::size_t a = 0; a < kNames.size(); ++a)
    for (std::size_t b = 0; b < kNames.size(); ++b)
      EXPECT_EQ(name(promote(parse_dtype(kNames[a]), parse_dtype(kNames[b]))), kNumpyPromote[a][b])
          << kNames[a] << " with " << kNames[b];
}

TEST(Promotion, TrueDivisionOfIntegersGivesFloat64) {
  EXPECT_EQ(binary_result(BinaryOp::divide, DType::uint8, DType::uint8), DType::float64);
  EXPECT_EQ(binary_result(BinaryOp::divide, DType::int16, DType::uint16), DType::float64);
  EXPECT_EQ(binary_result(BinaryOp::divide, DType::uint16, DType::float32), DType::float32);
  EXPECT_EQ(binary_result(BinaryOp::divide, DType::float32, DType::float32), DType::float32);
  EXPECT_EQ(binary_result(BinaryOp::multiply, DType::uint8, DType::uint8), DType::uint8);
}

TEST(Promotion, WeakScalarsFollowNep50) {
  // A Python int keeps the array's dtype, integer or float.
  EXPECT_EQ(promote(DType::uint8, Scalar(3)), DType::uint8);
  EXPECT_EQ(promote(DType::int16, Scalar(-3)), DType::int16);
  EXPECT_EQ(promote(DType::float32, Scalar(3)), DType::float32);
  // A Python float makes an integer array float64 and keeps a float array's dtype.
  EXPECT_EQ(promote(DType::uint16, Scalar(0.5)), DType::float64);
  EXPECT_EQ(promote(DType::float32, Scalar(0.5)), DType::float32);
  EXPECT_EQ(promote(DType::float64, Scalar(0.5)), DType::float64);
}

TEST(Promotion, StrongScalarsPromoteLikeArrays) {
  EXPECT_EQ(promote(DType::uint8, Scalar(2, DType::int64)), DType::int64);
  EXPECT_EQ(promote(DType::float32, Scalar(2, DType::float64)), DType::float64);
  EXPECT_EQ(promote(DType::uint16, Scalar(2, DType::float32)), DType::float32);
}

TEST(Promotion, ReductionsGiveNumpysDtypes) {
  // np.sum: platform integers (int64, uint64) for integers, the float's own dtype for floats;
  // np.mean: float64 except float32 stays float32; max and min keep the dtype.
  const std::array<std::pair<const char*, const char*>, 10> sum_mean{{{"uint64", "float64"},
                                                                       {"uint64", "float64"},
                                                                       {"uint64", "float64"},
                                                                       {"uint64", "float64"},
                                                                       {"int64", "float64"},
                                                                       {"int64", "float64"},
                                                                       {"int64", "float64"},
                                                                       {"int64", "float64"},
                                                                       {"float32", "float32"},
                                                                       {"float64", "float64"}}};
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    const DType t = parse_dtype(kNames[i]);
    EXPECT_EQ(name(reduce_result(ReduceOp::sum, t)), sum_mean[i].first) << kNames[i];
    EXPECT_EQ(name(reduce_result(ReduceOp::mean, t)), sum_mean[i].second) << kNames[i];
    EXPECT_EQ(reduce_result(ReduceOp::max, t), t);
    EXPECT_EQ(reduce_result(ReduceOp::min, t), t);
  }
}

TEST(Promotion, IntegerScalarsMustFitTheirDtype) {
  std::array<std::byte, 8> out{};
  EXPECT_NO_THROW(compute::scalar_to(Scalar(255), DType::uint8, out.data()));
  EXPECT_EQ(std::to_integer<int>(out[0]), 255);
  EXPECT_THROW(compute::scalar_to(Scalar(256), DType::uint8, out.data()), Error);
  EXPECT_THROW(compute::scalar_to(Scalar(-1), DType::uint16, out.data()), Error);
  EXPECT_THROW(compute::scalar_to(Scalar(18446744073709551615ull), DType::int64, out.data()), Error);
  // A strong float scalar of an integer dtype truncates, as np.int32(2.5) does.
  compute::scalar_to(Scalar(-2.5, DType::int32), DType::int32, out.data());
  std::int32_t v = 0;
  std::memcpy(&v, out.data(), 4);
  EXPECT_EQ(v, -2);
}

TEST(Promotion, ReduceOpsParseByName) {
  EXPECT_EQ(parse_reduce_op("mean"), ReduceOp::mean);
  EXPECT_EQ(name(ReduceOp::max), "max");
  EXPECT_THROW(parse_reduce_op("median"), Error);
}

}  // namespace
}  // namespace strata
