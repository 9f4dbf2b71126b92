// The Zarr v2 / OME-Zarr driver against fixtures that zarr-python + numcodecs write at
// test time (tests/data/make_zarr_fixtures.py) into a temporary folder.
#include "formats/zarr/zarr_driver.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "strata/error.hpp"
#include "strata/selection.hpp"

#define XXH_INLINE_ALL
#include <xxhash.h>

#ifndef STRATA_PYTHON
#define STRATA_PYTHON "/usr/bin/python3"  // Debian's, which has zarr and numcodecs
#endif

namespace strata {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kScript = fs::path(__FILE__).parent_path().parent_path() / "data" / "make_zarr_fixtures.py";

std::string xxh3_hex(const Buffer& b) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(XXH3_64bits(b.data(), b.size())));
  return text;
}

// Reads `box` of the array the way exec does: each chunk's part into its place in one
// C-order buffer (a strided view unless the chunk spans the trailing axes), from three
// threads at once.
Buffer read_box(const Driver& driver, const Box& box) {
  const DType dtype = driver.info().dtype;
  Buffer buffer(static_cast<std::size_t>(box.count()) * size_of(dtype));
  const View all = View::contiguous(buffer.data(), dtype, box.shape());
  const auto& chunks = driver.chunks().chunks;
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&] {
    for (std::size_t i = next++; i < chunks.size(); i = next++) {
      const auto region = intersect(chunks[i].box, box);
      if (!region) continue;
      try {
        driver.read_chunk(chunks[i], *region, all.sub(region->relative_to(box.start)));
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        failure = std::current_exception();
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) threads.emplace_back(work);
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
  return buffer;
}

Buffer read_all(const Driver& driver) { return read_box(driver, Box::whole(driver.info().shape)); }

class ZarrDriver : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/strata-zarr-test-XXXXXX";
    if (!mkdtemp(tmpl)) {
      skip_ = "cannot create a temporary folder";
      return;
    }
    dir_ = fs::path(tmpl) / "fixtures";
    const std::string command = std::string(STRATA_PYTHON) + " " + kScript.string() + " " + dir_.string();
    const int status = std::system(command.c_str());
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
      skip_ = "zarr-python or numcodecs is not installed for " STRATA_PYTHON;
    } else if (status != 0) {
      failed_ = "fixture script failed: " + command;
    } else {
      std::ifstream in(dir_ / "expected.json");
      expected_ = json::parse(in);
    }
  }
  static void TearDownTestSuite() {
    if (!dir_.empty()) fs::remove_all(dir_.parent_path());
  }
  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(failed_.empty()) << failed_;
  }

  static std::string path(const std::string& name) { return (dir_ / name).string(); }
  static std::unique_ptr<Driver> open(const std::string& name, int level = 0) {
    return zarr_format().open(path(name), OpenOptions{level});
  }

  static inline fs::path dir_;
  static inline json expected_;
  static inline std::string skip_;
  static inline std::string failed_;
};

void expect_reads_as(const Driver& driver, const json& e) {
  const ArrayInfo& info = driver.info();
  EXPECT_EQ(info.format, e["format"]);
  EXPECT_EQ(info.dims, e["dims"].is_null() ? e["dims_default_rank_based"] : e["dims"]);
  EXPECT_EQ(info.shape, e["shape"].get<Shape>());
  EXPECT_EQ(name(info.dtype), e["dtype"].get<std::string>());
  EXPECT_EQ(xxh3_hex(read_all(driver)), e["xxh3"]);

  const Box sel = resolve(parse_selection(e["select"].get<std::string>()), info.dims, info.shape);
  EXPECT_EQ(sel.shape(), e["select_shape"].get<Shape>());
  EXPECT_EQ(xxh3_hex(read_box(driver, sel)), e["select_xxh3"]) << "selection " << e["select"];

  if (e.contains("physical_sizes")) {
    EXPECT_EQ(info.physical_sizes.size(), e["physical_sizes"].size());
    for (const auto& [axis, size] : e["physical_sizes"].items()) {
      ASSERT_TRUE(info.physical_sizes.count(axis[0])) << "no physical size for " << axis;
      EXPECT_DOUBLE_EQ(info.physical_sizes.at(axis[0]).value, size["value"].get<double>()) << axis;
      EXPECT_EQ(info.physical_sizes.at(axis[0]).unit, size["unit"]) << axis;
    }
  }
  if (e.contains("channel_names")) {
    EXPECT_EQ(info.channel_names, e["channel_names"].get<std::vector<std::string>>());
  }
}

TEST_F(ZarrDriver, EveryFixtureReadsBitExact) {
  int checked = 0;
  for (const auto& [name, e] : expected_.items()) {
    if (name == "expected_errors") continue;
    SCOPED_TRACE(name);
    std::unique_ptr<Driver> driver;
    ASSERT_NO_THROW(driver = open(name));
    expect_reads_as(*driver, e);
    ++checked;
  }
  EXPECT_GT(checked, 60);  // the script's entries were all found
}

TEST_F(ZarrDriver, RefusalsNameTheFileAndTheCause) {
  int checked = 0;
  for (const auto& e : expected_["expected_errors"]) {
    const std::string name = e["name"];
    SCOPED_TRACE(name);
    try {
      const auto driver = open(name);
      ASSERT_EQ(e["at"], "read") << "opened, but should have been refused";
      read_all(*driver);
      ADD_FAILURE() << "read, but should have failed";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find(path(name)), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find(e["message"].get<std::string>()), std::string::npos) << error.what();
    }
    ++checked;
  }
  EXPECT_GE(checked, 10);
}

TEST_F(ZarrDriver, ChunkTableHasOneEntryPerChunkKeyAndStoredSizes) {
  const auto driver = open("missing_fill7.zarr");  // shape (4,20,20), chunks (2,10,10)
  const ChunkTable& table = driver->chunks();
  ASSERT_EQ(table.chunks.size(), 8u);
  EXPECT_EQ(table.files, std::vector<std::string>{path("missing_fill7.zarr")});
  EXPECT_EQ(table.codecs, std::vector<std::string>{"blosc-lz4+shuffle"});
  const std::vector<std::string> keys{"0.0.0", "0.0.1", "0.1.0", "0.1.1", "1.0.0", "1.0.1", "1.1.0", "1.1.1"};
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const ChunkRef& c = table.chunks[i];
    EXPECT_EQ(c.locator, i);
    const fs::path file = dir_ / "missing_fill7.zarr" / keys[i];
    if (fs::exists(file)) {
      EXPECT_EQ(c.segments, (std::vector<ByteRange>{{0, fs::file_size(file)}})) << keys[i];
    } else {
      EXPECT_TRUE(c.segments.empty()) << keys[i] << " is not stored, so it has no bytes";
    }
  }
  EXPECT_EQ(table.chunks[5].box, (Box{{2, 0, 10}, {4, 10, 20}}));
}

TEST_F(ZarrDriver, EdgeChunkBoxesAreClippedToTheArray) {
  const auto driver = open("edge_chunks.zarr");  // shape (7,33,35), chunks (3,8,16)
  const auto& chunks = driver->chunks().chunks;
  ASSERT_EQ(chunks.size(), 3u * 5u * 3u);
  EXPECT_EQ(chunks.back().box, (Box{{6, 32, 32}, {7, 33, 35}}));
  std::int64_t covered = 0;
  for (const auto& c : chunks) {
    EXPECT_TRUE(Box::whole(driver->info().shape).contains(c.box)) << c.box.to_string();
    covered += c.box.count();
  }
  EXPECT_EQ(covered, 7 * 33 * 35);
}

TEST_F(ZarrDriver, RestoredDriverReadsTheSame) {
  for (const std::string name : {"ngff04.ome.zarr", "missing_nan_be.zarr", "order_f_be_f8_zlib.zarr", "nested.zarr"}) {
    SCOPED_TRACE(name);
    const auto original = open(name);
    const auto restored = zarr_format().restore(original->save());
    EXPECT_EQ(restored->info(), original->info());
    EXPECT_EQ(restored->chunks(), original->chunks());
    expect_reads_as(*restored, expected_[name]);
  }
  EXPECT_THROW(zarr_format().restore("not cbor"), Error);
}

TEST_F(ZarrDriver, LevelPicksAResolutionOfAMultiscaleImage) {
  const auto level1 = open("ngff04.ome.zarr", 1);
  expect_reads_as(*level1, expected_["ngff04.ome.zarr/1"]);
  try {
    open("ngff04.ome.zarr", 2);
    ADD_FAILURE() << "level 2 of a 2-level image opened";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("level 2 does not exist: the image has 2 levels"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(open("ngff04.ome.zarr/0", 1), Error);  // one array has no levels
  // A bioformats2raw root passes the level on to its first image.
  expect_reads_as(*open("bioformats2raw.zarr", 1), expected_["bioformats2raw.zarr/0/1"]);
}

TEST_F(ZarrDriver, RecognizesZarrDirectoriesOnly) {
  const auto recognizes = zarr_format().recognizes;
  EXPECT_TRUE(recognizes(path("rank2.zarr"), {}));
  EXPECT_TRUE(recognizes(path("ngff04.ome.zarr"), {}));
  EXPECT_TRUE(recognizes(path("group_two.zarr") + "/", {}));
  EXPECT_TRUE(recognizes(path("err_v3.zarr"), {}));  // recognized, then refused with a reason
  EXPECT_FALSE(recognizes(path("expected.json"), {}));
  EXPECT_FALSE(recognizes(dir_.string(), {}));
  EXPECT_FALSE(recognizes(path("no-such.zarr"), {}));
}

TEST_F(ZarrDriver, ReadsPartOfAChunkIntoAStridedView) {
  const auto driver = open("order_f.zarr");  // shape (5,11,13), chunks (2,4,5), order F
  const Buffer whole = read_all(*driver);
  const ChunkRef& chunk = driver->chunks().chunks[4];  // [0:2, 4:8, 5:10]
  const Box region{{1, 5, 6}, {2, 8, 9}};
  ASSERT_TRUE(chunk.box.contains(region));
  // Destination: the region's place in a zeroed (5,11,13) array.
  Buffer out(whole.size());
  std::memset(out.data(), 0, out.size());
  const View all = View::contiguous(out.data(), DType::uint16, {5, 11, 13});
  driver->read_chunk(chunk, region, all.sub(region));
  auto element = [](const Buffer& b, std::size_t index) {
    std::uint16_t v;
    std::memcpy(&v, b.data() + index * sizeof v, sizeof v);
    return v;
  };
  for (std::int64_t z = 0; z < 5; ++z)
    for (std::int64_t y = 0; y < 11; ++y)
      for (std::int64_t x = 0; x < 13; ++x) {
        const auto at = static_cast<std::size_t>((z * 11 + y) * 13 + x);
        const bool inside = z == 1 && y >= 5 && y < 8 && x >= 6 && x < 9;
        ASSERT_EQ(element(out, at), inside ? element(whole, at) : 0) << "at " << z << "," << y << "," << x;
      }
}

}  // namespace
}  // namespace strata
