#include "strata/buffer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <utility>

#include "strata/error.hpp"

namespace strata {
namespace {

constexpr std::uintptr_t k64 = 64;
constexpr std::uintptr_t k2MiB = std::uintptr_t{2} << 20;

std::uintptr_t address(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

// Element (i, j, k) of a test array holds a value that names its coordinates.
std::uint16_t value_at(std::int64_t i, std::int64_t j, std::int64_t k) {
  return static_cast<std::uint16_t>(i * 10000 + j * 100 + k);
}

std::uint16_t load(const View& v, std::int64_t i, std::int64_t j, std::int64_t k) {
  std::uint16_t x;
  std::memcpy(&x, v.data + i * v.byte_strides[0] + j * v.byte_strides[1] + k * v.byte_strides[2],
              sizeof x);
  return x;
}

void store(const View& v, std::int64_t i, std::int64_t j, std::int64_t k, std::uint16_t x) {
  std::memcpy(v.data + i * v.byte_strides[0] + j * v.byte_strides[1] + k * v.byte_strides[2], &x,
              sizeof x);
}

void fill_with_coordinates(const View& v) {
  for (std::int64_t i = 0; i < v.shape[0]; ++i)
    for (std::int64_t j = 0; j < v.shape[1]; ++j)
      for (std::int64_t k = 0; k < v.shape[2]; ++k) store(v, i, j, k, value_at(i, j, k));
}

TEST(Buffer, SmallBuffersAre64ByteAligned) {
  for (std::size_t bytes : {1u, 3u, 64u, 100u, 4096u, 65537u}) {
    Buffer b(bytes);
    EXPECT_EQ(b.size(), bytes);
    ASSERT_NE(b.data(), nullptr);
    EXPECT_EQ(address(b.data()) % k64, 0u) << bytes << " bytes";
    EXPECT_EQ(b.bytes().size(), bytes);
    EXPECT_EQ(b.bytes().data(), b.data());
    std::memset(b.data(), 0xAB, bytes);  // all of it is writable
    EXPECT_EQ(b.bytes()[bytes - 1], std::byte{0xAB});
  }
}

TEST(Buffer, LargeBuffersAre2MiBAligned) {
  // Not touched, so no memory is committed.
  for (std::size_t bytes : {std::size_t{64} << 20, (std::size_t{256} << 20) + 12345}) {
    Buffer b(bytes);
    EXPECT_EQ(b.size(), bytes);
    EXPECT_EQ(address(b.data()) % k2MiB, 0u) << bytes << " bytes";
  }
}

TEST(Buffer, ZeroSize) {
  Buffer empty(0);
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_TRUE(empty.bytes().empty());
  Buffer defaulted;
  EXPECT_EQ(defaulted.size(), 0u);
  EXPECT_EQ(defaulted.data(), nullptr);
  EXPECT_TRUE(defaulted.bytes().empty());
}

TEST(Buffer, MoveTransfersOwnership) {
  Buffer a(1000);
  std::byte* p = a.data();
  Buffer b(std::move(a));
  EXPECT_EQ(b.data(), p);
  EXPECT_EQ(b.size(), 1000u);
  Buffer c;
  c = std::move(b);
  EXPECT_EQ(c.data(), p);
  EXPECT_EQ(c.size(), 1000u);
}

TEST(View, ContiguousHasCOrderByteStrides) {
  Buffer buf(2 * 3 * 4 * 2);
  View v = View::contiguous(buf.data(), DType::uint16, {2, 3, 4});
  EXPECT_EQ(v.data, buf.data());
  EXPECT_EQ(v.dtype, DType::uint16);
  EXPECT_EQ(v.shape, (Shape{2, 3, 4}));
  EXPECT_EQ(v.byte_strides, (std::vector<std::int64_t>{24, 8, 2}));
  EXPECT_EQ(v.rank(), 3u);
  EXPECT_EQ(v.count(), 24);
  EXPECT_EQ(v.bytes(), 48u);
  EXPECT_TRUE(v.is_contiguous());
}

TEST(View, SubPointsIntoTheSameMemory) {
  Buffer buf(4 * 5 * 6 * 2);
  View v = View::contiguous(buf.data(), DType::uint16, {4, 5, 6});
  fill_with_coordinates(v);
  View s = v.sub(Box{{1, 2, 3}, {3, 5, 5}});
  EXPECT_EQ(s.dtype, DType::uint16);
  EXPECT_EQ(s.shape, (Shape{2, 3, 2}));
  EXPECT_EQ(s.byte_strides, v.byte_strides);
  EXPECT_EQ(s.data, buf.data() + 1 * 60 + 2 * 12 + 3 * 2);
  EXPECT_FALSE(s.is_contiguous());
  for (std::int64_t i = 0; i < 2; ++i)
    for (std::int64_t j = 0; j < 3; ++j)
      for (std::int64_t k = 0; k < 2; ++k)
        EXPECT_EQ(load(s, i, j, k), value_at(i + 1, j + 2, k + 3));
  store(s, 0, 0, 0, 7);  // writes land in the parent's memory
  EXPECT_EQ(load(v, 1, 2, 3), 7);
}

TEST(View, SubOfWholeRowsOrPlanesStaysContiguous) {
  Buffer buf(4 * 5 * 6 * 2);
  View v = View::contiguous(buf.data(), DType::uint16, {4, 5, 6});
  EXPECT_TRUE(v.sub(Box{{1, 0, 0}, {3, 5, 6}}).is_contiguous());
  EXPECT_TRUE(v.sub(Box{{2, 1, 0}, {3, 4, 6}}).is_contiguous());
  EXPECT_TRUE(v.sub(Box::whole({4, 5, 6})).is_contiguous());
  EXPECT_FALSE(v.sub(Box{{0, 1, 0}, {2, 4, 6}}).is_contiguous());
}

TEST(Copy, ContiguousToContiguous) {
  Buffer a(3 * 4 * 5 * 2), b(3 * 4 * 5 * 2);
  View src = View::contiguous(a.data(), DType::uint16, {3, 4, 5});
  View dst = View::contiguous(b.data(), DType::uint16, {3, 4, 5});
  fill_with_coordinates(src);
  std::memset(b.data(), 0, b.size());
  copy(src, dst);
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size()), 0);
}

// A region of one strided view into a region of another, as a chunk lands in a rank's
// buffer: exactly the destination region changes, with the source's values.
TEST(Copy, BetweenStridedSubViews) {
  Buffer a(6 * 7 * 9 * 2), b(5 * 8 * 10 * 2);
  View src = View::contiguous(a.data(), DType::uint16, {6, 7, 9});
  View dst = View::contiguous(b.data(), DType::uint16, {5, 8, 10});
  fill_with_coordinates(src);
  std::memset(b.data(), 0xFF, b.size());
  const Box from{{2, 1, 3}, {5, 6, 8}};
  const Box to{{1, 2, 4}, {4, 7, 9}};
  copy(src.sub(from), dst.sub(to));
  for (std::int64_t i = 0; i < 5; ++i)
    for (std::int64_t j = 0; j < 8; ++j)
      for (std::int64_t k = 0; k < 10; ++k) {
        bool inside = i >= 1 && i < 4 && j >= 2 && j < 7 && k >= 4 && k < 9;
        std::uint16_t expected = inside ? value_at(i - 1 + 2, j - 2 + 1, k - 4 + 3) : 0xFFFF;
        ASSERT_EQ(load(dst, i, j, k), expected) << i << "," << j << "," << k;
      }
}

// Strides need not be C order or dense: a transposed view and an every-other-element view.
TEST(Copy, AnyStrides) {
  Buffer a(4 * 6 * 2), b(6 * 4 * 2);
  View src = View::contiguous(a.data(), DType::uint16, {1, 4, 6});
  fill_with_coordinates(src);
  // The transpose of src as a (1, 6, 4) view over the same memory.
  View transposed{a.data(), DType::uint16, {1, 6, 4}, {48, 2, 12}};
  View dst = View::contiguous(b.data(), DType::uint16, {1, 6, 4});
  copy(transposed, dst);
  for (std::int64_t j = 0; j < 6; ++j)
    for (std::int64_t k = 0; k < 4; ++k) EXPECT_EQ(load(dst, 0, j, k), value_at(0, k, j));

  Buffer c(1 * 4 * 3 * 2);
  View every_other{a.data(), DType::uint16, {1, 4, 3}, {48, 12, 4}};
  View packed = View::contiguous(c.data(), DType::uint16, {1, 4, 3});
  copy(every_other, packed);
  for (std::int64_t j = 0; j < 4; ++j)
    for (std::int64_t k = 0; k < 3; ++k) EXPECT_EQ(load(packed, 0, j, k), value_at(0, j, 2 * k));
}

TEST(Copy, EveryDTypeSizeMovesWholeElements) {
  for (DType t : {DType::uint8, DType::int16, DType::float32, DType::float64, DType::uint64}) {
    const std::size_t es = size_of(t);
    Buffer a(3 * 5 * es), b(3 * 5 * es);
    for (std::size_t i = 0; i < a.size(); ++i) a.data()[i] = std::byte(i * 7 + 1);
    std::memset(b.data(), 0, b.size());
    View src = View::contiguous(a.data(), t, {3, 5});
    View dst = View::contiguous(b.data(), t, {3, 5});
    copy(src.sub(Box{{0, 1}, {3, 4}}), dst.sub(Box{{0, 0}, {3, 3}}));
    for (std::int64_t r = 0; r < 3; ++r)
      EXPECT_EQ(std::memcmp(b.data() + r * 5 * es, a.data() + (r * 5 + 1) * es, 3 * es), 0)
          << name(t) << " row " << r;
  }
}

TEST(Copy, EmptyViewsCopyNothing) {
  Buffer a(16), b(16);
  std::memset(b.data(), 0x5A, b.size());
  View src = View::contiguous(a.data(), DType::uint8, {4, 4});
  View dst = View::contiguous(b.data(), DType::uint8, {4, 4});
  copy(src.sub(Box{{1, 1}, {1, 4}}), dst.sub(Box{{2, 0}, {2, 3}}));
  for (std::byte x : b.bytes()) EXPECT_EQ(x, std::byte{0x5A});
}

// Typed access: the elements as T when T is the dtype, an Error otherwise; a ConstView (what a
// View converts to) gives const elements.
TEST(TypedAccess, ViewsAndBuffersGiveTheirElementsAsTheirOwnTypeOnly) {
  static_assert(dtype_of<std::uint16_t> == DType::uint16 && dtype_of<const double> == DType::float64);
  Buffer a(2 * 3 * 2);
  View v = View::contiguous(a.data(), DType::uint16, {1, 2, 3});
  fill_with_coordinates(v);
  const std::span<std::uint16_t> all = v.as<std::uint16_t>();
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all[4], value_at(0, 1, 1));
  all[0] = 7;  // writes land in the buffer
  EXPECT_EQ(a.as<std::uint16_t>(DType::uint16)[0], 7);
  EXPECT_EQ(std::as_const(a).as<std::uint16_t>(DType::uint16).size(), 6u);

  const ConstView c = v;
  static_assert(std::is_same_v<decltype(c.as<std::uint16_t>()), std::span<const std::uint16_t>>);
  EXPECT_EQ(c.as<std::uint16_t>()[4], value_at(0, 1, 1));
  EXPECT_EQ(c.sub(Box{{0, 1, 0}, {1, 2, 3}}).as<std::uint16_t>()[1], value_at(0, 1, 1));

  EXPECT_THROW(v.as<std::int16_t>(), Error);
  EXPECT_THROW(a.as<float>(DType::uint16), Error);
  EXPECT_THROW(a.as<std::uint16_t>(DType::int16), Error);
  // Columns 0 and 2 of each row: strided, so no span.
  const View strided{a.data(), DType::uint16, {1, 2, 2}, {12, 6, 4}};
  EXPECT_THROW(strided.as<std::uint16_t>(), Error);
}

}  // namespace
}  // namespace strata
