#include "strata/dtype.hpp"

#include <gtest/gtest.h>

#include <array>

#include "strata/error.hpp"

namespace strata {
namespace {

struct Expected {
  DType type;
  const char* name;
  std::size_t size;
  char kind;
};

constexpr std::array<Expected, 10> kAll{{
    {DType::uint8, "uint8", 1, 'u'},
    {DType::uint16, "uint16", 2, 'u'},
    {DType::uint32, "uint32", 4, 'u'},
    {DType::uint64, "uint64", 8, 'u'},
    {DType::int8, "int8", 1, 'i'},
    {DType::int16, "int16", 2, 'i'},
    {DType::int32, "int32", 4, 'i'},
    {DType::int64, "int64", 8, 'i'},
    {DType::float32, "float32", 4, 'f'},
    {DType::float64, "float64", 8, 'f'},
}};

TEST(DType, NamesFollowNumPyAndRoundTrip) {
  for (const auto& e : kAll) {
    EXPECT_EQ(name(e.type), e.name);
    EXPECT_EQ(parse_dtype(e.name), e.type) << e.name;
    EXPECT_EQ(parse_dtype(name(e.type)), e.type) << e.name;
  }
}

TEST(DType, Sizes) {
  for (const auto& e : kAll) EXPECT_EQ(size_of(e.type), e.size) << e.name;
}

TEST(DType, IsFloatOnlyForFloats) {
  for (const auto& e : kAll) EXPECT_EQ(is_float(e.type), e.kind == 'f') << e.name;
}

TEST(DType, FromSampleFormat) {
  for (const auto& e : kAll)
    EXPECT_EQ(dtype_from(e.kind, static_cast<int>(e.size * 8)), e.type) << e.name;
}

TEST(DType, FromSampleFormatRejectsUnsupported) {
  EXPECT_THROW(dtype_from('u', 12), Error);
  EXPECT_THROW(dtype_from('u', 1), Error);
  EXPECT_EQ(dtype_from('f', 16), DType::float16);
  EXPECT_EQ(dtype_from('b', 8), DType::bool_);
  EXPECT_THROW(dtype_from('b', 16), Error);
  EXPECT_THROW(dtype_from('f', 8), Error);
  EXPECT_THROW(dtype_from('i', 128), Error);
  EXPECT_THROW(dtype_from('x', 8), Error);
  EXPECT_THROW(dtype_from('u', 0), Error);
}

TEST(DType, UnknownNamesThrowNamingThem) {
  for (const char* bad : {"", "uint17", "float128", "u2", "complex64"}) {
    try {
      parse_dtype(bad);
      ADD_FAILURE() << "parse_dtype accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace strata
