// The Zarr v2 / OME-Zarr driver against fixtures that zarr-python + numcodecs write at
// test time (tests/data/make_zarr_fixtures.py) into a temporary folder.
#include "formats/zarr/zarr_format.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "strata/error.hpp"
#include "support/driver_fixtures.hpp"

namespace strata {
namespace {

namespace fs = std::filesystem;
using namespace strata::testing;

using ZarrDriver = DriverFixtures<zarr_format, "zarr-python or numcodecs">;

TEST_F(ZarrDriver, EveryFixtureReadsBitExact) { expect_every_entry_reads_as_expected(60); }

TEST_F(ZarrDriver, RefusalsNameTheFileAndTheCause) {
  expect_every_refusal(10, [](const std::string& name, const nlohmann::json& entry, const Error& error) {
    EXPECT_NE(std::string(error.what()).find(path(name)), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find(entry["message"].get<std::string>()), std::string::npos) << error.what();
  });
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
    EXPECT_EQ(c.key, keys[i]);
    const fs::path file = dir() / "missing_fill7.zarr" / keys[i];
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
    expect_reads_as(*restored, expected().at(name));
  }
  EXPECT_THROW(zarr_format().restore("not cbor"), Error);
}

TEST_F(ZarrDriver, LevelPicksAResolutionOfAMultiscaleImage) {
  const auto level1 = open("ngff04.ome.zarr", 1);
  expect_reads_as(*level1, expected().at("ngff04.ome.zarr/1"));
  try {
    open("ngff04.ome.zarr", 2);
    ADD_FAILURE() << "level 2 of a 2-level image opened";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("level 2 does not exist: the image has 2 levels"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(open("ngff04.ome.zarr/0", 1), Error);  // one array has no levels
  // A bioformats2raw root passes the level on to its first image.
  expect_reads_as(*open("bioformats2raw.zarr", 1), expected().at("bioformats2raw.zarr/0/1"));
}

TEST_F(ZarrDriver, RecognizesZarrDirectoriesOnly) {
  const auto recognizes = zarr_format().recognizes;
  EXPECT_TRUE(recognizes(path("rank2.zarr"), {}));
  EXPECT_TRUE(recognizes(path("ngff04.ome.zarr"), {}));
  EXPECT_TRUE(recognizes(path("group_two.zarr") + "/", {}));
  EXPECT_TRUE(recognizes(path("err_v3.zarr"), {}));  // recognized, then refused with a reason
  EXPECT_FALSE(recognizes(path("expected.json"), {}));
  EXPECT_FALSE(recognizes(dir().string(), {}));
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
