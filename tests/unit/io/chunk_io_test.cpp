// What io/chunk_io.hpp does around every format's decoder: fill values into any view,
// per-thread scratch memory, and decoding straight into the destination or through scratch.
#include "io/chunk_io.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <vector>

#include "strata/error.hpp"

namespace strata {
namespace {

constexpr auto kSentinel = std::byte{0xA5};

std::uint16_t u16_at(const std::vector<std::byte>& b, std::size_t index) {
  std::uint16_t v;
  std::memcpy(&v, b.data() + index * 2, 2);
  return v;
}

// A (4, 6) uint16 array and the view of its part [1:3, 2:5] (strided: rows 12 bytes apart).
struct Strided {
  std::vector<std::byte> memory = std::vector<std::byte>(4 * 6 * 2, kSentinel);
  View whole = View::contiguous(memory.data(), DType::uint16, {4, 6});
  View part = whole.sub(Box{{1, 2}, {3, 5}});
  static bool inside(std::size_t index) { return index / 6 >= 1 && index / 6 < 3 && index % 6 >= 2 && index % 6 < 5; }
};

TEST(IoFill, ZerosFillOnlyTheView) {
  Strided s;
  io::fill(s.part, {});
  for (std::size_t i = 0; i < 24; ++i) EXPECT_EQ(u16_at(s.memory, i), Strided::inside(i) ? 0 : 0xA5A5) << i;
}

TEST(IoFill, AnElementsBytesFillEveryElementOfTheView) {
  Strided s;
  const std::uint16_t value = 0x1234;
  std::uint8_t bytes[2];
  std::memcpy(bytes, &value, 2);
  io::fill(s.part, bytes);
  for (std::size_t i = 0; i < 24; ++i) EXPECT_EQ(u16_at(s.memory, i), Strided::inside(i) ? 0x1234 : 0xA5A5) << i;
}

TEST(IoFill, AValueOfTheWrongSizeIsRefused) {
  Strided s;
  const std::uint8_t three[3] = {1, 2, 3};
  EXPECT_THROW(io::fill(s.part, three), Error);
}

TEST(IoScratch, ReusedPerSlotAndThreadAndDistinctAcrossThem) {
  const std::span<std::byte> first = io::scratch(io::Scratch::stored, 1000);
  EXPECT_EQ(first.size(), 1000u);
  const std::span<std::byte> again = io::scratch(io::Scratch::stored, 400);
  EXPECT_EQ(again.data(), first.data()) << "a smaller request reuses the buffer";
  EXPECT_EQ(again.size(), 400u);
  const std::span<std::byte> other_slot = io::scratch(io::Scratch::decoded, 1000);
  EXPECT_NE(other_slot.data(), first.data());
  std::byte* other_thread = nullptr;
  std::thread([&] { other_thread = io::scratch(io::Scratch::stored, 1000).data(); }).join();
  EXPECT_NE(other_thread, first.data());
}

// A decoder of the (3, 5) uint16 chunk whose element (y, x) is 100 y + x, stored in C or F order.
std::function<void(std::span<std::byte>)> decoder(bool fortran, std::byte** called_with = nullptr) {
  return [=](std::span<std::byte> out) {
    ASSERT_EQ(out.size(), 3u * 5u * 2u);
    if (called_with) *called_with = out.data();
    for (std::int64_t y = 0; y < 3; ++y)
      for (std::int64_t x = 0; x < 5; ++x) {
        const auto v = static_cast<std::uint16_t>(100 * y + x);
        std::memcpy(out.data() + (fortran ? x * 3 + y : y * 5 + x) * 2, &v, 2);
      }
  };
}

TEST(IoDecodeInto, AWholeChunkIntoContiguousMemoryIsDecodedInPlace) {
  const Box full{{10, 20}, {13, 25}};
  std::vector<std::byte> out(30);
  std::byte* called_with = nullptr;
  io::decode_into(View::contiguous(out.data(), DType::uint16, {3, 5}), full, full, {}, decoder(false, &called_with));
  EXPECT_EQ(called_with, out.data());
  for (std::size_t i = 0; i < 15; ++i) EXPECT_EQ(u16_at(out, i), 100 * (i / 5) + i % 5) << i;
}

TEST(IoDecodeInto, APartGoesThroughScratchIntoAStridedView) {
  const Box full{{10, 20}, {13, 25}};
  const Box region{{11, 21}, {13, 24}};  // rows 1-2, columns 1-3 of the chunk
  std::vector<std::byte> memory(4 * 6 * 2, kSentinel);
  const View whole = View::contiguous(memory.data(), DType::uint16, {4, 6});
  const View dest = whole.sub(Box{{1, 2}, {3, 5}});
  std::byte* called_with = nullptr;
  io::decode_into(dest, region, full, {}, decoder(false, &called_with));
  EXPECT_NE(called_with, memory.data());
  for (std::size_t i = 0; i < 24; ++i) {
    const std::size_t y = i / 6, x = i % 6;
    // dest (y - 1, x - 2) is chunk element (1 + y - 1, 1 + x - 2)
    EXPECT_EQ(u16_at(memory, i), Strided::inside(i) ? 100 * y + (x - 1) : 0xA5A5) << i;
  }
}

TEST(IoDecodeInto, DecodedStridesReorderAFortranOrderChunk) {
  const Box full{{0, 0}, {3, 5}};
  std::vector<std::byte> out(30);
  io::decode_into(View::contiguous(out.data(), DType::uint16, {3, 5}), full, full, {2, 6}, decoder(true));
  for (std::size_t i = 0; i < 15; ++i) EXPECT_EQ(u16_at(out, i), 100 * (i / 5) + i % 5) << i;
}

}  // namespace
}  // namespace strata
