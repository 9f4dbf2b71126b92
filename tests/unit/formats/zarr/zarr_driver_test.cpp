// The Zarr v2 / OME-Zarr driver against fixtures that zarr-python + numcodecs write at
// test time (tests/data/make_zarr_fixtures.py) into a temporary folder. The driver
// contract (tiling, reads into any view, refusals, save/restore) is checked for every
// format in formats/driver_conformance_test.cpp.
#include "formats/zarr/zarr_format.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "strata/error.hpp"
#include "support/driver_fixtures.hpp"
#include "support/reference_files.hpp"

namespace strata {
namespace {

namespace fs = std::filesystem;
using namespace strata::testing;

using ZarrDriver = DriverFixtures<zarr_format, "zarr-python or numcodecs">;

TEST_F(ZarrDriver, EveryFixtureReadsBitExact) { expect_every_entry_reads_as_expected(60); }

TEST_F(ZarrDriver, RefusalsNameTheFileAndTheCause) {
  expect_every_refusal(9, [](const std::string& name, const nlohmann::json& entry, const Error& error) {
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

TEST_F(ZarrDriver, SummaryComesFromTheGridAndTheFilesThereAre) {
  const auto driver = open("missing_fill7.zarr");
  const ChunkSummary summary = driver->summary();  // before the table: nothing listed yet
  const ChunkTable& table = driver->chunks();
  EXPECT_EQ(summary.count, table.chunks.size());
  std::uint64_t stored = 0;
  for (const ChunkRef& c : table.chunks) stored += c.stored_bytes();
  EXPECT_GT(stored, 0u);
  EXPECT_EQ(summary.stored_bytes, stored);  // the metadata documents are not chunks
  EXPECT_EQ(summary.chunk_shape, (Shape{2, 10, 10}));
  EXPECT_EQ(summary.files, table.files);
  EXPECT_EQ(summary.codecs, table.codecs);
}

TEST_F(ZarrDriver, OpeningListsNoChunkUntilTheTableIsAskedFor) {
  // A folder where a chunk file should be makes the listing fail: open and summary do not list.
  TempDir tmp;
  const fs::path store = tmp.path() / "a.zarr";
  fs::copy(dir() / "missing_fill7.zarr", store, fs::copy_options::recursive);
  int folders = 0;
  for (const char* key : {"0.0.0", "0.0.1", "0.1.0", "0.1.1", "1.0.0", "1.0.1", "1.1.0", "1.1.1"})
    if (!fs::exists(store / key)) folders += fs::create_directory(store / key);
  ASSERT_GT(folders, 0);
  const auto driver = zarr_format().open(store, {});
  EXPECT_EQ(driver->summary().count, 8u);
  try {
    driver->chunks();
    ADD_FAILURE() << "a folder at a chunk key was listed as a chunk";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("a chunk key that is not a file"), std::string::npos) << e.what();
  }
}

TEST_F(ZarrDriver, ChunksForABoxLookOnlyAtTheChunksItMeets) {
  for (const std::string name : {"missing_fill7.zarr", "nested.zarr", "ngff04.ome.zarr"}) {
    SCOPED_TRACE(name);
    const auto driver = open(name);
    for (const Box& box : random_boxes(driver->info().shape, 20, 3)) expect_chunks_for_is_filtered(zarr_format(), *driver, box);
  }
  // A folder at key 1.1.1 (shape (4,20,20), chunks (2,10,10)) fails any listing that stats it.
  TempDir tmp;
  const fs::path store = tmp.path() / "a.zarr";
  fs::copy(dir() / "missing_fill7.zarr", store, fs::copy_options::recursive);
  fs::remove_all(store / "1.1.1");
  fs::create_directory(store / "1.1.1");
  const auto driver = zarr_format().open(store, {});
  EXPECT_EQ(driver->chunks_for(Box{{0, 0, 0}, {4, 10, 20}}).chunks.size(), 4u);
  EXPECT_EQ(driver->chunk_count(Box{{1, 5, 5}, {3, 15, 15}}), 8u);
  EXPECT_NE(message_of([&] { driver->chunks_for(Box{{3, 19, 19}, {4, 20, 20}}); }).find("not a file"), std::string::npos);
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
  // Every level's shape (each from its own .zarray), whichever level is open.
  const auto level0 = open("ngff04.ome.zarr");
  ASSERT_EQ(level1->info().levels.size(), 2u);
  EXPECT_EQ(level1->info().levels, level0->info().levels);
  EXPECT_EQ(level0->info().levels[0], level0->info().shape);
  EXPECT_EQ(level1->info().levels[1], level1->info().shape);
  EXPECT_NE(level0->info().shape, level1->info().shape);
  EXPECT_EQ(level1->info().storage, "chunks");
  EXPECT_TRUE(level1->info().block_shape.empty());
  EXPECT_EQ(open("ngff04.ome.zarr/0")->info().levels.size(), 2u);  // the array its group lists
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
  EXPECT_TRUE(recognizes(path("err_v3_empty_group.zarr"), {}));  // recognized, then refused with a reason
  EXPECT_FALSE(recognizes(path("expected.json"), {}));
  EXPECT_FALSE(recognizes(dir().string(), {}));
  EXPECT_FALSE(recognizes(path("no-such.zarr"), {}));
}

}  // namespace
}  // namespace strata
