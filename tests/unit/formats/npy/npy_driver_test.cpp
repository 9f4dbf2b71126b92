// What the NumPy .npy reader does beyond the driver contract (formats/driver_conformance_test.cpp):
// one piece per plane at its byte offset, the header variants NumPy writes, and the files
// it must refuse, on .npy files written byte by byte here.
#include "formats/npy/npy_format.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "strata/error.hpp"
#include "support/driver_fixtures.hpp"
#include "support/reference_files.hpp"

namespace strata {
namespace {

namespace fs = std::filesystem;
using testing::first_difference;
using testing::RefArray;

class NpyFile : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return dir_ / name; }
  std::unique_ptr<Driver> open(const std::string& name) const { return npy_format().open(path(name), {}); }

  // Writes `header` (the dict, unpadded) after a version 1.0 prefix, then `data_bytes` zeros.
  void write_raw(const std::string& name, const std::string& header, std::size_t data_bytes = 64) const {
    std::string dict = header + "\n";
    std::string text = "\x93NUMPY";
    text += '\x01';
    text += '\x00';
    text += static_cast<char>(dict.size() & 0xff);
    text += static_cast<char>(dict.size() >> 8);
    text += dict;
    text.append(data_bytes, '\0');
    std::ofstream(path(name), std::ios::binary) << text;
  }

  // The cause of the Error opening `name`; expects the error to name the file.
  std::string refusal(const std::string& name, const OpenOptions& options = {}) const {
    try {
      npy_format().open(path(name), options);
    } catch (const Error& e) {
      EXPECT_EQ(e.path(), path(name)) << e.what();
      return e.what();
    }
    return "(opened)";
  }

  testing::TempDir dir_;
};

TEST_F(NpyFile, OnePiecePerPlaneAtItsByteOffset) {
  const RefArray a = RefArray::pattern({2, 3, 5, 7}, DType::uint16);
  testing::write_npy(path("a.npy"), a);
  const auto d = open("a.npy");
  EXPECT_EQ(d->info().dims, "CZYX");
  const ChunkTable& table = d->chunks();
  ASSERT_EQ(table.chunks.size(), 6u);
  EXPECT_EQ(table.codecs, std::vector<std::string>{"raw"});
  const std::uint64_t plane_bytes = 5 * 7 * 2;
  const std::uint64_t data_offset = fs::file_size(path("a.npy")) - a.bytes.size();
  for (std::size_t i = 0; i < table.chunks.size(); ++i) {
    const ChunkRef& c = table.chunks[i];
    EXPECT_EQ(c.box, (Box{{static_cast<std::int64_t>(i / 3), static_cast<std::int64_t>(i % 3), 0, 0}, {static_cast<std::int64_t>(i / 3 + 1), static_cast<std::int64_t>(i % 3 + 1), 5, 7}}));
    EXPECT_EQ(c.segments, (std::vector<ByteRange>{{data_offset + i * plane_bytes, plane_bytes}})) << i;
  }
}

TEST_F(NpyFile, HeaderVersionsOneTwoAndThreeReadTheSame) {
  const RefArray a = RefArray::pattern({3, 4, 9}, DType::int32);
  for (int version : {1, 2, 3}) {
    const std::string name = "v" + std::to_string(version) + ".npy";
    testing::write_npy(path(name), a, version);
    EXPECT_EQ(first_difference(testing::read_all(*open(name)).bytes(), a.bytes, 4), "") << name;
  }
}

TEST_F(NpyFile, BigEndianElementsAreSwapped) {
  const RefArray a = RefArray::pattern({2, 6, 5}, DType::float64);
  testing::write_npy(path("be.npy"), a, 1, true);
  EXPECT_EQ(first_difference(testing::read_all(*open("be.npy")).bytes(), a.bytes, 8), "");
}

TEST_F(NpyFile, HeaderWithOtherKeyOrderAndSpacingIsRead) {
  write_raw("order.npy", "{'shape':(2,3),'fortran_order':False,'descr':'|u1'}", 6);
  const auto d = open("order.npy");
  EXPECT_EQ(d->info().shape, (Shape{2, 3}));
  EXPECT_EQ(d->info().dtype, DType::uint8);
}

TEST_F(NpyFile, FortranOrderIsRefused) {
  write_raw("f.npy", "{'descr': '<u2', 'fortran_order': True, 'shape': (3, 4), }");
  EXPECT_NE(refusal("f.npy").find("Fortran"), std::string::npos) << refusal("f.npy");
}

TEST_F(NpyFile, StructuredAndComplexDtypesAreRefused) {
  write_raw("s.npy", "{'descr': [('a', '<u2'), ('b', '<f4')], 'fortran_order': False, 'shape': (3,), }");
  EXPECT_NE(refusal("s.npy"), "(opened)");
  write_raw("c.npy", "{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }");
  EXPECT_NE(refusal("c.npy"), "(opened)");
}

TEST_F(NpyFile, NegativeAndOversizedExtentsAreRefused) {
  // Found by the hostile corpus (tests/hostile): "(-1, 4)" was read as (1, 4).
  write_raw("neg.npy", "{'descr': '<u2', 'fortran_order': False, 'shape': (-1, 4), }", 8);
  EXPECT_NE(refusal("neg.npy").find("\"-1\", not a size"), std::string::npos) << refusal("neg.npy");
  write_raw("big.npy", "{'descr': '<u2', 'fortran_order': False, 'shape': (99999999999999999999,), }", 8);
  EXPECT_NE(refusal("big.npy").find("not a size"), std::string::npos) << refusal("big.npy");
  write_raw("one.npy", "{'descr': '<u2', 'fortran_order': False, 'shape': (4,), }", 8);
  EXPECT_EQ(refusal("one.npy"), "(opened)");
}

TEST_F(NpyFile, TruncatedDataIsRefusedAtOpen) {
  testing::write_npy(path("t.npy"), RefArray::pattern({4, 10, 10}, DType::uint16));
  fs::resize_file(path("t.npy"), fs::file_size(path("t.npy")) - 1);
  EXPECT_NE(refusal("t.npy").find("truncated"), std::string::npos) << refusal("t.npy");
}

TEST_F(NpyFile, UnknownVersionAndBadMagicAreRefused) {
  testing::write_npy(path("v9.npy"), RefArray::pattern({4, 4}, DType::uint8));
  {
    std::fstream f(path("v9.npy"), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(6);
    f.put('\x09');
  }
  EXPECT_NE(refusal("v9.npy").find("version 9"), std::string::npos) << refusal("v9.npy");
  std::ofstream(path("text.npy")) << "just some text, long enough to hold a header";
  EXPECT_NE(refusal("text.npy"), "(opened)");
}

TEST_F(NpyFile, EmptyArrayIsRefused) {
  write_raw("empty.npy", "{'descr': '<u2', 'fortran_order': False, 'shape': (0, 4), }", 0);
  EXPECT_NE(refusal("empty.npy"), "(opened)");
}

TEST_F(NpyFile, ResolutionLevelsAreRefused) {
  testing::write_npy(path("a.npy"), RefArray::pattern({4, 4}, DType::uint8));
  EXPECT_NE(refusal("a.npy", OpenOptions{1}).find("one resolution level"), std::string::npos);
}

TEST(NpyFormat, RecognizesTheMagicWhateverTheName) {
  const std::string magic = "\x93NUMPY\x01";
  EXPECT_TRUE(npy_format().recognizes("anything.bin", std::as_bytes(std::span(magic))));
  const std::string other = "\x93NUMPZ\x01";
  EXPECT_FALSE(npy_format().recognizes("a.npy", std::as_bytes(std::span(other))));
  EXPECT_FALSE(npy_format().recognizes("a.npy", {}));
}

}  // namespace
}  // namespace strata
