// io::File and io::read_file: the floor every format reads through. Exact bytes at any
// offset, from many threads; every failure is a strata::Error naming the file.
#include "io/file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "strata/error.hpp"
#include "support/reference_files.hpp"

namespace strata {
namespace {

namespace fs = std::filesystem;

std::vector<std::byte> numbered_bytes(std::size_t n) {
  std::vector<std::byte> b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::byte>((i * 131 + i / 256) & 0xff);
  return b;
}

class IoFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_ / "data.bin";
    std::ofstream(path_, std::ios::binary)
        .write(reinterpret_cast<const char*>(content_.data()), static_cast<std::streamsize>(content_.size()));
  }
  std::vector<std::byte> expected(std::size_t offset, std::size_t n) const {
    return {content_.begin() + static_cast<std::ptrdiff_t>(offset),
            content_.begin() + static_cast<std::ptrdiff_t>(offset + n)};
  }

  testing::TempDir dir_;
  std::string path_;
  std::vector<std::byte> content_ = numbered_bytes(10000);
};

TEST_F(IoFile, ReadAtReturnsTheExactBytesAtAnyOffset) {
  const io::File file(path_);
  EXPECT_EQ(file.path(), path_);
  for (const auto& [offset, n] : {std::pair<std::size_t, std::size_t>{0, 100}, {1, 1}, {4095, 4098}, {9900, 100}, {0, 10000}}) {
    std::vector<std::byte> out(n);
    file.read_at(out, offset);
    EXPECT_EQ(out, expected(offset, n)) << "offset " << offset << ", " << n << " bytes";
  }
  std::vector<std::byte> none;
  EXPECT_NO_THROW(file.read_at(none, 10000));  // nothing asked at the very end
}

TEST_F(IoFile, ReadPastTheEndIsAnErrorNamingTheFile) {
  const io::File file(path_);
  std::vector<std::byte> out(200);
  try {
    file.read_at(out, 9900);
    FAIL() << "read 200 bytes from offset 9900 of a 10000-byte file";
  } catch (const Error& e) {
    EXPECT_EQ(e.path(), path_) << e.what();
    EXPECT_NE(std::string(e.what()).find("ends inside bytes 9900-10100"), std::string::npos) << e.what();
  }
  EXPECT_THROW(file.read_at(out, 20000), Error);
}

TEST_F(IoFile, MissingFileIsAnErrorNamingItAtFirstRead) {
  const std::string missing = dir_ / "missing.bin";
  const io::File file(missing);  // opening is lazy: constructing touches nothing
  std::vector<std::byte> out(10);
  try {
    file.read_at(out, 0);
    FAIL() << "read a missing file";
  } catch (const Error& e) {
    EXPECT_EQ(e.path(), missing) << e.what();
    EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos) << e.what();
  }
  EXPECT_THROW(file.descriptor(), Error);
}

TEST_F(IoFile, FileIsOpenedOnFirstUseNotOnConstruction) {
  const std::string later = dir_ / "later.bin";
  const io::File file(later);
  fs::copy_file(path_, later);
  std::vector<std::byte> out(64);
  file.read_at(out, 128);
  EXPECT_EQ(out, expected(128, 64));
  EXPECT_GE(file.descriptor(), 0);
}

// A failed open is not remembered: once the file appears, the same File reads it.
TEST_F(IoFile, AFailedOpenIsTriedAgainAtTheNextRead) {
  const std::string later = dir_ / "appears.bin";
  const io::File file(later);
  EXPECT_THROW(file.descriptor(), Error);
  fs::copy_file(path_, later);
  std::vector<std::byte> out(16);
  file.read_at(out, 32);
  EXPECT_EQ(out, expected(32, 16));
}

TEST_F(IoFile, ThreadsReadingOneFileAtOnceEachGetTheirBytes) {
  const io::File file(path_);
  std::vector<int> wrong(8, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < wrong.size(); ++t)
    threads.emplace_back([&, t] {
      for (std::size_t k = 0; k < 50; ++k) {
        const std::size_t offset = (t * 997 + k * 131) % 9000, n = 1 + (t * 37 + k) % 999;
        std::vector<std::byte> out(n);
        file.read_at(out, offset);
        if (out != expected(offset, n)) ++wrong[t];
      }
    });
  for (auto& t : threads) t.join();
  for (std::size_t t = 0; t < wrong.size(); ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

TEST_F(IoFile, ReadAheadServesThisThreadsReadsOfThatFileFromMemory) {
  const io::File file(path_);
  const io::File other(path_);
  std::vector<std::byte> out(100);
  {
    const io::ReadAhead ahead(file, ByteRange{1000, 3000});
    // Proof the bytes come from memory: the file changes under the read-ahead.
    {
      std::ofstream changed(path_, std::ios::binary | std::ios::in | std::ios::out);
      changed.seekp(1500).write("XXXX", 4);
      changed.seekp(4010).write("XXXX", 4);
    }
    file.read_at(out, 1450);
    EXPECT_EQ(out, expected(1450, 100));
    std::vector<std::byte> space(200);
    const auto view = file.view(ByteRange{1000, 200}, space);
    EXPECT_EQ(std::vector<std::byte>(view.begin(), view.end()), expected(1000, 200));
    EXPECT_NE(view.data(), space.data()) << "held bytes are viewed, not copied";
    // Outside the read-ahead, another file object, another thread: read from the file.
    file.read_at(out, 3950);
    EXPECT_EQ(static_cast<char>(out[60]), 'X') << "bytes 4000.. are not held";
    other.read_at(out, 1450);
    EXPECT_EQ(static_cast<char>(out[50]), 'X');
    std::thread([&] {
      std::vector<std::byte> mine(100);
      file.read_at(mine, 1450);
      EXPECT_EQ(static_cast<char>(mine[50]), 'X');
    }).join();
  }
  file.read_at(out, 1450);
  EXPECT_EQ(static_cast<char>(out[50]), 'X') << "the read-ahead ended with its scope";
  std::vector<std::byte> space(100);
  EXPECT_EQ(file.view(ByteRange{1450, 100}, space).data(), space.data());
}

TEST_F(IoFile, ReadAheadPastTheEndIsAnErrorNamingTheFile) {
  const io::File file(path_);
  EXPECT_THROW(io::ReadAhead(file, ByteRange{9000, 2000}), Error);
}

TEST_F(IoFile, ReadFileReadsTheFirstBytes) {
  std::vector<std::byte> out(300);
  io::read_file(path_, out);
  EXPECT_EQ(out, expected(0, 300));
  std::vector<std::byte> all(10000);
  io::read_file(path_, all);
  EXPECT_EQ(all, content_);
}

TEST_F(IoFile, ReadFileErrorsNameThePath) {
  std::vector<std::byte> too_many(10001);
  try {
    io::read_file(path_, too_many);
    FAIL() << "read 10001 bytes of a 10000-byte file";
  } catch (const Error& e) {
    EXPECT_EQ(e.path(), path_) << e.what();
  }
  const std::string missing = dir_ / "missing.bin";
  try {
    io::read_file(missing, too_many);
    FAIL() << "read a missing file";
  } catch (const Error& e) {
    EXPECT_EQ(e.path(), missing) << e.what();
  }
  try {
    io::read_file(dir_.path().string(), too_many);  // a folder: opens, but cannot be read
    FAIL() << "read a folder";
  } catch (const Error& e) {
    EXPECT_EQ(e.path(), dir_.path().string()) << e.what();
  }
}

}  // namespace
}  // namespace strata
