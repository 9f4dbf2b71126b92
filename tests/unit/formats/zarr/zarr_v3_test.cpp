// The Zarr v3 reader (zarr.json): metadata parsing (every fill_value form, data types,
// chunk key encodings, refusals of what strata does not read, hostile values) and arrays
// written byte by byte here, following the v3 spec: sharded (index at the end and at the
// start, crc32c-checked, absent inner chunks, nested), transposed, big-endian, missing
// chunks. The real files of other writers are checked by the realdata suite.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "codecs/crc32c.hpp"
#include "codecs/gzip.hpp"
#include "formats/zarr/zarr_format.hpp"
#include "io/file.hpp"
#include "formats/zarr/zarr_v3_metadata.hpp"
#include "strata/error.hpp"
#include "strata/grid.hpp"
#include "support/driver_fixtures.hpp"
#include "support/reference_files.hpp"

namespace strata::zarr {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using strata::testing::expect_chunks_for_is_filtered;
using strata::testing::random_boxes;
using strata::testing::message_of;
using strata::testing::RefArray;
using strata::testing::TempDir;

json array_json(json shape, json chunks, const std::string& type, json fill, json codecs) {
  return json{{"zarr_format", 3},
              {"node_type", "array"},
              {"shape", std::move(shape)},
              {"data_type", type},
              {"chunk_grid", {{"name", "regular"}, {"configuration", {{"chunk_shape", std::move(chunks)}}}}},
              {"chunk_key_encoding", {{"name", "default"}, {"configuration", {{"separator", "/"}}}}},
              {"fill_value", std::move(fill)},
              {"codecs", std::move(codecs)},
              {"attributes", json::object()}};
}

json bytes_codec(const std::string& endian = "little") {
  return {{"name", "bytes"}, {"configuration", {{"endian", endian}}}};
}

json simple(const std::string& type, json fill) { return array_json({8}, {4}, type, std::move(fill), {bytes_codec()}); }

template <typename T>
T fill_as(const V3ArrayMeta& m) {
  T v{};
  EXPECT_EQ(m.fill.size(), sizeof(T));
  std::memcpy(&v, m.fill.data(), sizeof(T));
  return v;
}

std::string refusal(const json& j) {
  return message_of([&] { parse_v3_array(j, "/x/zarr.json"); });
}

TEST(ZarrV3Metadata, ParsesAPlainArray) {
  json j = array_json({10, 7}, {4, 5}, "uint16", 3, {bytes_codec(), {{"name", "zstd"}, {"configuration", {{"level", 0}}}}});
  j["dimension_names"] = {"y", "x"};
  const V3ArrayMeta m = parse_v3_array(j, "z");
  EXPECT_EQ(m.shape, (Shape{10, 7}));
  EXPECT_EQ(m.chunks, (Shape{4, 5}));
  EXPECT_EQ(m.dtype, DType::uint16);
  EXPECT_EQ(fill_as<std::uint16_t>(m), 3);
  EXPECT_EQ(m.codecs.compressor, V3Compressor::zstd);
  EXPECT_EQ(m.codecs.description, "bytes+zstd");
  EXPECT_EQ(m.leaf_chunk(), (Shape{4, 5}));
  EXPECT_EQ(m.chunk_key({2, 1}), "c/2/1");
}

TEST(ZarrV3Metadata, ChunkKeyEncodings) {
  json j = simple("uint8", 0);
  j["chunk_key_encoding"] = {{"name", "default"}, {"configuration", {{"separator", "."}}}};
  EXPECT_EQ(parse_v3_array(j, "z").chunk_key({1}), "c.1");
  j["chunk_key_encoding"] = {{"name", "default"}};
  EXPECT_EQ(parse_v3_array(j, "z").chunk_key({1}), "c/1");
  j["chunk_key_encoding"] = {{"name", "v2"}, {"configuration", {{"separator", "."}}}};
  EXPECT_EQ(parse_v3_array(j, "z").chunk_key({1}), "1");
  j = array_json({4, 4, 4}, {2, 2, 2}, "uint8", 0, {bytes_codec()});
  j["chunk_key_encoding"] = {{"name", "v2"}};
  EXPECT_EQ(parse_v3_array(j, "z").chunk_key({1, 0, 1}), "1.0.1");
  j["chunk_key_encoding"] = {{"name", "v2"}, {"configuration", {{"separator", "/"}}}};
  EXPECT_EQ(parse_v3_array(j, "z").chunk_key({1, 0, 1}), "1/0/1");
  j = array_json(json::array(), json::array(), "uint8", 0, {bytes_codec()});
  EXPECT_EQ(parse_v3_array(j, "z").chunk_key({}), "c");
  j["chunk_key_encoding"] = {{"name", "v2"}};
  EXPECT_EQ(parse_v3_array(j, "z").chunk_key({}), "0");
  j["chunk_key_encoding"] = {{"name", "suffix"}};
  EXPECT_NE(refusal(j).find("chunk_key_encoding \"suffix\" is not supported"), std::string::npos) << refusal(j);
}

TEST(ZarrV3Metadata, EveryFillValueForm) {
  EXPECT_EQ(fill_as<std::int16_t>(parse_v3_array(simple("int16", -5), "z")), -5);
  EXPECT_EQ(fill_as<std::uint64_t>(parse_v3_array(simple("uint64", 18446744073709551615ull), "z")),
            18446744073709551615ull);
  EXPECT_EQ(fill_as<std::int64_t>(parse_v3_array(simple("int64", -9223372036854775807ll - 1), "z")),
            -9223372036854775807ll - 1);
  EXPECT_EQ(fill_as<float>(parse_v3_array(simple("float32", 1.5), "z")), 1.5f);
  EXPECT_EQ(fill_as<double>(parse_v3_array(simple("float64", 7), "z")), 7.0);
  EXPECT_TRUE(std::isnan(fill_as<float>(parse_v3_array(simple("float32", "NaN"), "z"))));
  EXPECT_TRUE(std::isnan(fill_as<double>(parse_v3_array(simple("float64", "NaN"), "z"))));
  EXPECT_EQ(fill_as<float>(parse_v3_array(simple("float32", "Infinity"), "z")), INFINITY);
  EXPECT_EQ(fill_as<double>(parse_v3_array(simple("float64", "-Infinity"), "z")), -INFINITY);
  // Hex: the raw bits, so NaN payloads survive.
  EXPECT_EQ(std::bit_cast<std::uint32_t>(fill_as<float>(parse_v3_array(simple("float32", "0x7fc00001"), "z"))),
            0x7fc00001u);
  EXPECT_EQ(fill_as<double>(parse_v3_array(simple("float64", "0x3FF0000000000000"), "z")), 1.0);
  EXPECT_EQ(fill_as<std::uint8_t>(parse_v3_array(simple("bool", true), "z")), 1);
  EXPECT_EQ(fill_as<std::uint8_t>(parse_v3_array(simple("bool", false), "z")), 0);
  const V3ArrayMeta b = parse_v3_array(simple("bool", false), "z");
  EXPECT_EQ(b.dtype, DType::bool_);
  EXPECT_EQ(b.data_type, "bool");
  // float16: numbers are rounded to the nearest half, hex gives the bits.
  EXPECT_EQ(fill_as<std::uint16_t>(parse_v3_array(simple("float16", 1.0), "z")), 0x3c00u);
  EXPECT_EQ(fill_as<std::uint16_t>(parse_v3_array(simple("float16", "0x7e01"), "z")), 0x7e01u);
  EXPECT_EQ(fill_as<std::uint16_t>(parse_v3_array(simple("float16", "-Infinity"), "z")), 0xfc00u);
  // Wrong forms.
  for (const json& bad : {json(300), json(-1), json(1.5), json("0x7fc0"), json("NaN"), json(true), json(nullptr),
                          json::array({1})}) {
    EXPECT_NE(refusal(simple("uint8", bad)).find("fill_value"), std::string::npos) << bad.dump() << ": "
                                                                                      << refusal(simple("uint8", bad));
  }
  EXPECT_NE(refusal(simple("float32", "0x7fc0")).find("hex"), std::string::npos);
  EXPECT_NE(refusal(simple("float32", "nan")).find("fill_value"), std::string::npos);
  EXPECT_NE(refusal(simple("bool", 2)).find("true or false"), std::string::npos);
}

TEST(ZarrV3Metadata, RefusesWhatItDoesNotRead) {
  EXPECT_NE(refusal(simple("complex64", 0)).find("data type 'complex64' is not supported"), std::string::npos);
  json optional = simple("uint8", 0);
  optional["data_type"] = {{"name", "optional"}, {"configuration", {{"name", "uint8"}}}};
  EXPECT_NE(refusal(optional).find("data type 'optional' is not supported"), std::string::npos) << refusal(optional);

  json pcodec = array_json({8}, {4}, "float32", 0, {{{"name", "numcodecs.pcodec"}, {"configuration", {{"level", 8}}}}});
  const std::string m = refusal(pcodec);
  EXPECT_NE(m.find("/x/zarr.json: zarr: codec 'numcodecs.pcodec' is not supported"), std::string::npos) << m;
  json bz2 = simple("float32", 0);
  bz2["codecs"].push_back({{"name", "numcodecs.bz2"}});
  EXPECT_NE(refusal(bz2).find("codec 'numcodecs.bz2' is not supported"), std::string::npos);
  // Extensions: refused unless they say they may be ignored.
  json ext = simple("uint8", 0);
  ext["my_extension"] = {{"name", "x"}};
  EXPECT_NE(refusal(ext).find("extension 'my_extension' is not supported"), std::string::npos) << refusal(ext);
  ext["my_extension"]["must_understand"] = true;
  EXPECT_NE(refusal(ext).find("extension 'my_extension'"), std::string::npos);
  ext["my_extension"]["must_understand"] = false;
  EXPECT_NO_THROW(parse_v3_array(ext, "z"));
  json st = simple("uint8", 0);
  st["storage_transformers"] = json::array({{{"name", "x"}}});
  EXPECT_NE(refusal(st).find("storage_transformers"), std::string::npos);
  json grid = simple("uint8", 0);
  grid["chunk_grid"]["name"] = "rectilinear";
  EXPECT_NE(refusal(grid).find("chunk_grid \"rectilinear\" is not supported"), std::string::npos);
  EXPECT_NE(refusal(array_json({8}, {4}, "uint8", 0, json::array())).find("no array->bytes codec"), std::string::npos);
  EXPECT_NE(refusal(array_json({8}, {4}, "uint8", 0, {{{"name", "gzip"}}, bytes_codec()})).find("before"),
            std::string::npos);
  EXPECT_NE(refusal(array_json({8}, {4}, "uint8", 0, {bytes_codec(), {{"name", "gzip"}}, {{"name", "zstd"}}}))
                .find("two compressors"),
            std::string::npos);
  json group = simple("uint8", 0);
  group["node_type"] = "group";
  EXPECT_NE(refusal(group).find("not an array"), std::string::npos);
}

TEST(ZarrV3Metadata, HostileValuesAreErrorsNotCrashes) {
  const std::vector<json> hostile{
      array_json({8}, {0}, "uint8", 0, {bytes_codec()}),                                    // zero chunk
      array_json({-8}, {4}, "uint8", 0, {bytes_codec()}),                                   // negative shape
      array_json({8, 8}, {4}, "uint8", 0, {bytes_codec()}),                                 // rank mismatch
      array_json("8", {4}, "uint8", 0, {bytes_codec()}),                                    // wrong JSON type
      array_json({8.5}, {4}, "uint8", 0, {bytes_codec()}),                                  // not an integer
      array_json({4611686018427387904ll, 4611686018427387904ll}, {1, 1}, "uint8", 0, {bytes_codec()}),  // 2^124
      array_json({8}, {1ll << 40}, "float64", 0, {bytes_codec()}),                          // 8 TiB chunk
      array_json({8}, {4}, "uint8", 0, {{{"name", "transpose"}, {"configuration", {{"order", {0, 0}}}}}, bytes_codec()}),
      array_json({8}, {4}, "uint8", 0, {{{"name", "bytes"}, {"configuration", {{"endian", 5}}}}}),
      array_json({8}, {4}, "uint8", 0, "codecs"),
      array_json({8}, {4}, "uint8", 0, {{{"name", "sharding_indexed"}, {"configuration", {{"chunk_shape", {3}}, {"codecs", {bytes_codec()}}}}}}),
      array_json({8}, {4}, "uint8", 0, {{{"name", "sharding_indexed"}, {"configuration", {{"chunk_shape", {0}}, {"codecs", {bytes_codec()}}}}}}),
      array_json({8}, {4}, "uint8", 0, {{{"name", "sharding_indexed"}, {"configuration", {{"chunk_shape", {2}}}}}}),
      array_json({8}, {4}, "uint8", 0, {{{"name", "sharding_indexed"}, {"configuration", {{"chunk_shape", {2}}, {"codecs", {bytes_codec()}}, {"index_codecs", {bytes_codec(), {{"name", "gzip"}}}}}}}}),
      array_json({8}, {4}, "uint8", 0, {{{"name", "sharding_indexed"}, {"configuration", {{"chunk_shape", {2}}, {"codecs", {bytes_codec()}}, {"index_location", "middle"}}}}}),
      json::array(),
      json{{"zarr_format", 3}, {"node_type", "array"}},
  };
  for (const json& j : hostile) {
    const std::string m = refusal(j);
    EXPECT_NE(m, "(no error)") << j.dump();
    EXPECT_NE(m.find("/x/zarr.json"), std::string::npos) << j.dump() << ": " << m;
  }
}

TEST(ZarrV3Metadata, ShardingNestedAndTransposeComposed) {
  const json inner = {{"name", "sharding_indexed"},
                      {"configuration",
                       {{"chunk_shape", {2, 2}},
                        {"codecs", {{{"name", "transpose"}, {"configuration", {{"order", {1, 0}}}}}, bytes_codec("big")}},
                        {"index_codecs", {bytes_codec(), {{"name", "crc32c"}}}}}}};
  const json outer = {{"name", "sharding_indexed"},
                      {"configuration",
                       {{"chunk_shape", {4, 4}}, {"codecs", {inner}}, {"index_codecs", {bytes_codec()}},
                        {"index_location", "start"}}}};
  const V3ArrayMeta m = parse_v3_array(array_json({9, 9}, {8, 8}, "int32", 0, {outer}), "z");
  EXPECT_EQ(m.leaf_chunk(), (Shape{2, 2}));
  EXPECT_EQ(m.leaf_codecs().order, (std::vector<std::size_t>{1, 0}));
  EXPECT_TRUE(m.leaf_codecs().big_endian);
  EXPECT_TRUE(m.codecs.sharding->index_at_start);
  EXPECT_EQ(m.codecs.description, "sharding[sharding[transpose+bytes-be]]");
  // Two transposes compose: [1,2,0] after [2,0,1] is the identity... of the stored order.
  const json t1 = {{"name", "transpose"}, {"configuration", {{"order", {1, 2, 0}}}}};
  const json t2 = {{"name", "transpose"}, {"configuration", {{"order", {1, 2, 0}}}}};
  const V3ArrayMeta t = parse_v3_array(array_json({2, 3, 4}, {2, 3, 4}, "uint8", 0, {t1, t2, bytes_codec()}), "z");
  EXPECT_EQ(t.codecs.order, (std::vector<std::size_t>{2, 0, 1}));
}

// ---- arrays written by hand ----

void write_file(const fs::path& path, std::span<const std::byte> bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void write_json(const fs::path& path, const json& j) {
  const std::string text = j.dump(2);
  write_file(path, std::as_bytes(std::span(text)));
}

void put_u64(std::vector<std::byte>& out, std::uint64_t v) {
  for (int k = 0; k < 8; ++k) out.push_back(static_cast<std::byte>(v >> (8 * k)));
}

// A shard as the spec lays it out: the stored inner chunks (nullopt: absent) in C order,
// and the index of (offset, nbytes) little-endian pairs, followed by its crc32c, at the start
// or the end.
std::vector<std::byte> shard(const std::vector<std::optional<std::vector<std::byte>>>& chunks, bool index_at_start,
                             bool crc = true) {
  const std::size_t index_bytes = 16 * chunks.size() + (crc ? 4 : 0);
  std::vector<std::byte> data;
  std::vector<std::byte> index;
  const std::uint64_t base = index_at_start ? index_bytes : 0;
  for (const auto& c : chunks) {
    if (!c) {
      put_u64(index, ~0ull);
      put_u64(index, ~0ull);
      continue;
    }
    put_u64(index, base + data.size());
    put_u64(index, c->size());
    data.insert(data.end(), c->begin(), c->end());
  }
  if (crc) {
    const std::uint32_t sum = codecs::crc32c(index);
    for (int k = 0; k < 4; ++k) index.push_back(static_cast<std::byte>(sum >> (8 * k)));
  }
  std::vector<std::byte> out = index_at_start ? index : data;
  const auto& rest = index_at_start ? data : index;
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

std::vector<std::byte> gzip(std::span<const std::byte> raw) {
  std::vector<std::byte> out(codecs::gzip_compress_bound(raw.size()));
  out.resize(codecs::deflate_gzip(raw, out, 6));
  return out;
}

// The box `box` of `array`, C order.
std::vector<std::byte> part(const RefArray& array, const Box& box) { return array.slice(box); }

std::vector<std::byte> read_everything(const Driver& driver) {
  const Buffer b = strata::testing::read_all(driver);
  return {b.bytes().begin(), b.bytes().end()};
}

std::vector<std::byte> with_fill(RefArray array, const Box& box, std::uint16_t fill) {
  const Shape& s = array.shape;
  Index at(s.size(), 0);
  const Box whole = Box::whole(s);
  do {
    bool inside = true;
    for (std::size_t i = 0; i < at.size(); ++i) inside = inside && box.start[i] <= at[i] && at[i] < box.stop[i];
    if (inside) std::memcpy(array.bytes.data() + 2 * linear_index(at, s), &fill, 2);
  } while (next_in(at, whole));
  return array.bytes;
}

json sharding_codec(json inner_shape, json inner_codecs, bool at_start, bool crc = true) {
  json index = {bytes_codec()};
  if (crc) index.push_back({{"name", "crc32c"}});
  return {{"name", "sharding_indexed"},
          {"configuration",
           {{"chunk_shape", std::move(inner_shape)}, {"codecs", std::move(inner_codecs)}, {"index_codecs", index},
            {"index_location", at_start ? "start" : "end"}}}};
}

class ZarrV3Files : public ::testing::Test {
 protected:
  TempDir tmp;
  std::unique_ptr<Driver> open(const std::string& name) { return zarr_format().open(tmp / name, {}); }
};

// uint16 (6,8) in shards (4,8) of inner chunks (2,4): shard c/0/0 holds inner chunks
// (0,0) (0,1) (1,0) (1,1), with (0,1) absent; shard c/1/0 covers rows 4-7 of which 6-7 lie
// outside the array (its inner chunks there absent, as writers leave them).
void write_sharded(const fs::path& dir, const RefArray& a, bool at_start, bool compress) {
  const json inner_codecs = compress ? json{bytes_codec(), {{"name", "gzip"}, {"configuration", {{"level", 6}}}}}
                                     : json{bytes_codec()};
  write_json(dir / "zarr.json", array_json({6, 8}, {4, 8}, "uint16", 7, {sharding_codec({2, 4}, inner_codecs, at_start)}));
  auto chunk = [&](std::int64_t r, std::int64_t c) -> std::optional<std::vector<std::byte>> {
    const auto raw = part(a, Box{{2 * r, 4 * c}, {2 * r + 2, 4 * c + 4}});
    return compress ? gzip(raw) : raw;
  };
  write_file(dir / "c/0/0", shard({chunk(0, 0), std::nullopt, chunk(1, 0), chunk(1, 1)}, at_start));
  write_file(dir / "c/1/0", shard({chunk(2, 0), chunk(2, 1), std::nullopt, std::nullopt}, at_start));
}

TEST_F(ZarrV3Files, ShardedIndexAtEndAndStartWithAbsentInnerChunks) {
  const RefArray a = RefArray::pattern({6, 8}, DType::uint16);
  const auto want = with_fill(a, Box{{0, 4}, {2, 8}}, 7);
  for (bool at_start : {false, true}) {
    for (bool compress : {false, true}) {
      SCOPED_TRACE(std::string(at_start ? "start" : "end") + (compress ? " gzip" : " raw"));
      const std::string name = std::string("s_") + (at_start ? "start" : "end") + (compress ? "_gz" : "") + ".zarr";
      write_sharded(tmp.path() / name, a, at_start, compress);
      const auto driver = open(name);
      EXPECT_EQ(driver->info().format, "zarr");
      EXPECT_EQ(driver->info().shape, (Shape{6, 8}));
      const ChunkTable& t = driver->chunks();
      EXPECT_EQ(t.chunk_shape, (Shape{2, 4}));
      EXPECT_EQ(driver->info().storage, "shards");
      EXPECT_EQ(driver->info().block_shape, (Shape{4, 8}));  // the shard; chunk_shape is its inner chunk
      ASSERT_EQ(t.chunks.size(), 6u);  // one per inner chunk inside the array
      const std::vector<std::string> keys{"c/0/0", "c/0/0", "c/0/0", "c/0/0", "c/1/0", "c/1/0"};
      for (std::size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(t.chunks[i].key, keys[i]) << i;
      EXPECT_TRUE(t.chunks[1].segments.empty());
      EXPECT_EQ(t.chunks[5].box, (Box{{4, 4}, {6, 8}}));
      // Each shard is a file of the table, held open by the driver for the executor's runs.
      ASSERT_EQ(t.files.size(), 3u);
      EXPECT_EQ(t.files[1], (tmp.path() / name / "c/0/0").string());
      EXPECT_EQ(t.files[2], (tmp.path() / name / "c/1/0").string());
      EXPECT_EQ(t.chunks[0].file, 1u);
      EXPECT_EQ(t.chunks[5].file, 2u);
      EXPECT_EQ(driver->shared_file(0), nullptr);
      ASSERT_NE(driver->shared_file(1), nullptr);
      EXPECT_EQ(driver->shared_file(1)->path(), t.files[1]);
      if (!compress) {
        // Raw inner chunks of 16 bytes, back to back after (or before) the 68-byte index.
        const std::uint64_t base = at_start ? 68 : 0;
        EXPECT_EQ(t.chunks[0].segments, (std::vector<ByteRange>{{base, 16}}));
        EXPECT_EQ(t.chunks[2].segments, (std::vector<ByteRange>{{base + 16, 16}}));
        EXPECT_EQ(t.chunks[3].segments, (std::vector<ByteRange>{{base + 32, 16}}));
      }
      // info's summary: the inner-chunk grid, the shard files' bytes, the folder for its shards.
      const ChunkSummary summary = driver->summary();
      EXPECT_EQ(summary.count, 6u);
      EXPECT_EQ(summary.chunk_shape, (Shape{2, 4}));
      EXPECT_EQ(summary.files, std::vector<std::string>{t.files[0]});
      EXPECT_EQ(summary.stored_bytes, fs::file_size(t.files[1]) + fs::file_size(t.files[2]));
      EXPECT_EQ(read_everything(*driver), want);
      const auto restored = zarr_format().restore(driver->save());
      EXPECT_EQ(restored->chunks(), driver->chunks());
      EXPECT_EQ(restored->info(), driver->info());
      EXPECT_EQ(read_everything(*restored), want);
    }
  }
}

TEST_F(ZarrV3Files, MissingShardReadsAsFill) {
  const RefArray a = RefArray::pattern({6, 8}, DType::uint16);
  write_sharded(tmp.path() / "m.zarr", a, false, false);
  fs::remove(tmp.path() / "m.zarr/c/1/0");
  const auto driver = open("m.zarr");
  EXPECT_TRUE(driver->chunks().chunks[4].segments.empty());
  RefArray filled = a;
  filled.bytes = with_fill(a, Box{{0, 4}, {2, 8}}, 7);
  EXPECT_EQ(read_everything(*driver), with_fill(filled, Box{{4, 0}, {6, 8}}, 7));
}

TEST_F(ZarrV3Files, ChunksForABoxReadOnlyTheShardIndexesItMeets) {
  const RefArray a = RefArray::pattern({6, 8}, DType::uint16);
  for (bool at_start : {false, true}) {
    const std::string name = at_start ? "b_start.zarr" : "b_end.zarr";
    write_sharded(tmp.path() / name, a, at_start, true);
    const auto driver = open(name);
    for (const Box& box : random_boxes({6, 8}, 30, 7)) expect_chunks_for_is_filtered(zarr_format(), *driver, box);
  }
  // Shard c/1/0 (rows 4-5) cut to 3 bytes: too small for its index, so listing it fails.
  fs::resize_file(tmp.path() / "b_end.zarr/c/1/0", 3);
  const auto driver = open("b_end.zarr");
  EXPECT_EQ(driver->chunks_for(Box{{0, 0}, {4, 8}}).chunks.size(), 4u);
  EXPECT_EQ(driver->chunks_for(Box{{0, 0}, {4, 8}}).files.size(), 2u);  // the folder and shard c/0/0
  EXPECT_EQ(driver->chunk_count(Box{{3, 3}, {5, 5}}), 4u);
  EXPECT_NE(message_of([&] { driver->chunks_for(Box{{4, 0}, {5, 1}}); }).find("c/1/0"), std::string::npos);
}

TEST_F(ZarrV3Files, CorruptShardIndexesAreErrorsNamingTheShard) {
  const RefArray a = RefArray::pattern({6, 8}, DType::uint16);
  write_sharded(tmp.path() / "crc.zarr", a, false, false);
  {
    // One flipped bit in the index (the last 68 bytes): the checksum catches it.
    const fs::path f = tmp.path() / "crc.zarr/c/0/0";
    std::fstream io(f, std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(static_cast<std::streamoff>(fs::file_size(f) - 60));
    io.put('\x55');
  }
  // Shard indexes are read when the table is listed: at its first use (Array::open lists it
  // on rank 0, so a read is refused at open as before), never for `info`.
  std::string m = message_of([&] { open("crc.zarr")->chunks(); });
  EXPECT_NE(m.find("crc.zarr/c/0/0"), std::string::npos) << m;
  EXPECT_NE(m.find("crc32c: checksum mismatch"), std::string::npos) << m;

  // An index pointing beyond the shard (no checksum to stop it first).
  const fs::path dir = tmp.path() / "beyond.zarr";
  write_json(dir / "zarr.json", array_json({4}, {4}, "uint16", 0, {sharding_codec({2}, {bytes_codec()}, false, false)}));
  std::vector<std::byte> s = shard({std::vector<std::byte>(4), std::vector<std::byte>(4)}, false, false);
  s[8 + 16] = std::byte{0x40};  // nbytes of the second entry: 64
  write_file(dir / "c/0", s);
  m = message_of([&] { open("beyond.zarr")->chunks(); });
  EXPECT_NE(m.find("beyond.zarr/c/0"), std::string::npos) << m;
  EXPECT_NE(m.find("beyond the shard"), std::string::npos) << m;

  // A shard too short to hold its index.
  write_file(dir / "c/0", std::vector<std::byte>(10));
  m = message_of([&] { open("beyond.zarr")->chunks(); });
  EXPECT_NE(m.find("too small for its index"), std::string::npos) << m;

  // Shards far larger than their file: the index size is checked against the file before
  // anything is allocated.
  write_json(dir / "zarr.json",
             array_json({4}, {1ll << 40}, "uint8", 0, {sharding_codec({1}, {bytes_codec()}, false, false)}));
  m = message_of([&] { open("beyond.zarr")->chunks(); });
  EXPECT_NE(m, "(no error)");
}

// An array may have any number of chunks (a read lists only those it meets); one shard's
// inner chunks are bounded, since its index is read whole.
TEST(ZarrV3Metadata, AnyNumberOfChunksButBoundedInnerChunksPerShard) {
  EXPECT_EQ(refusal(array_json({1ll << 40}, {1}, "uint8", 0, {bytes_codec()})), "(no error)");
  const std::string m =
      refusal(array_json({1ll << 40}, {1ll << 40}, "uint8", 0, {sharding_codec({1}, {bytes_codec()}, false, false)}));
  EXPECT_NE(m.find("hold more than 67108864 chunks"), std::string::npos) << m;
  EXPECT_NE(m.find("/x/zarr.json"), std::string::npos) << m;
}

TEST_F(ZarrV3Files, CorruptInnerChunkIsAnErrorNamingTheChunk) {
  const RefArray a = RefArray::pattern({6, 8}, DType::uint16);
  write_sharded(tmp.path() / "g.zarr", a, true, true);
  {
    const fs::path f = tmp.path() / "g.zarr/c/1/0";
    std::fstream io(f, std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(68 + 3);  // inside the first inner chunk's gzip header
    io.put('\x77');
  }
  const auto driver = open("g.zarr");
  const std::string m = message_of([&] { read_everything(*driver); });
  EXPECT_NE(m.find("zarr: reading chunk (2,0) (key c/1/0)"), std::string::npos) << m;
}

TEST_F(ZarrV3Files, NestedSharding) {
  // int32 (8,8): shards (8,8) of (4,4) sub-shards of (2,2) chunks, transposed inside.
  const RefArray a = RefArray::pattern({8, 8}, DType::int32);
  const json leaf_codecs = {{{"name", "transpose"}, {"configuration", {{"order", {1, 0}}}}}, bytes_codec()};
  const json inner = sharding_codec({2, 2}, leaf_codecs, false);
  const fs::path dir = tmp.path() / "nested.zarr";
  write_json(dir / "zarr.json", array_json({8, 8}, {8, 8}, "int32", -1, {sharding_codec({4, 4}, {inner}, true)}));
  auto leaf = [&](std::int64_t r, std::int64_t c) {
    // Transposed: element (i,j) of the chunk stored at (j,i).
    const auto raw = part(a, Box{{r, c}, {r + 2, c + 2}});
    std::vector<std::byte> t(raw.size());
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) std::memcpy(&t[4 * (j * 2 + i)], &raw[4 * (i * 2 + j)], 4);
    return t;
  };
  std::vector<std::optional<std::vector<std::byte>>> subshards;
  for (std::int64_t R = 0; R < 8; R += 4)
    for (std::int64_t C = 0; C < 8; C += 4) {
      if (R == 4 && C == 0) {
        subshards.push_back(std::nullopt);  // a whole absent sub-shard
        continue;
      }
      std::vector<std::optional<std::vector<std::byte>>> leaves;
      for (std::int64_t r = R; r < R + 4; r += 2)
        for (std::int64_t c = C; c < C + 4; c += 2) leaves.push_back(r == R && c == C ? std::nullopt : std::optional(leaf(r, c)));
      subshards.push_back(shard(leaves, false));
    }
  write_file(dir / "c/0/0", shard(subshards, true));
  const auto driver = open("nested.zarr");
  EXPECT_EQ(driver->chunks().chunk_shape, (Shape{2, 2}));
  EXPECT_EQ(driver->chunks().chunks.size(), 16u);
  std::vector<std::byte> want = a.bytes;
  const std::int32_t fill = -1;
  for (std::int64_t i = 0; i < 8; ++i)
    for (std::int64_t j = 0; j < 8; ++j) {
      // The absent sub-shard, and the first leaf of every other one.
      const bool absent = (i >= 4 && j < 4) || (i % 4 < 2 && j % 4 < 2);
      if (absent) std::memcpy(&want[4 * (i * 8 + j)], &fill, 4);
    }
  EXPECT_EQ(read_everything(*driver), want);
}

TEST_F(ZarrV3Files, TransposeBigEndianMissingChunkAndEdgeChunks) {
  // float32 (5,3) in chunks (4,2), stored transposed ([1,0]) and big-endian; chunk (0,1)
  // missing (fill "NaN"); edge chunks stored full-size.
  const RefArray a = RefArray::pattern({5, 3}, DType::float32);
  const fs::path dir = tmp.path() / "t.zarr";
  write_json(dir / "zarr.json",
             array_json({5, 3}, {4, 2}, "float32", "NaN",
                        {{{"name", "transpose"}, {"configuration", {{"order", {1, 0}}}}}, bytes_codec("big")}));
  for (std::int64_t R : {0, 1})
    for (std::int64_t C : {0, 1}) {
      if (R == 0 && C == 1) continue;
      std::vector<std::byte> stored(4 * 8, std::byte{0});
      for (std::int64_t i = 0; i < 4; ++i)
        for (std::int64_t j = 0; j < 2; ++j) {
          const std::int64_t y = 4 * R + i, x = 2 * C + j;
          if (y >= 5 || x >= 3) continue;
          std::byte* to = &stored[4 * (j * 4 + i)];  // transposed: stored shape (2,4)
          std::memcpy(to, &a.bytes[4 * (y * 3 + x)], 4);
          std::reverse(to, to + 4);  // big-endian
        }
      write_file(dir / ("c/" + std::to_string(R) + "/" + std::to_string(C)), stored);
    }
  const auto driver = open("t.zarr");
  const auto got = read_everything(*driver);
  ASSERT_EQ(got.size(), a.bytes.size());
  for (std::int64_t y = 0; y < 5; ++y)
    for (std::int64_t x = 0; x < 3; ++x) {
      float g = 0, w = 0;
      std::memcpy(&g, &got[4 * (y * 3 + x)], 4);
      std::memcpy(&w, &a.bytes[4 * (y * 3 + x)], 4);
      if (y < 4 && x >= 2)
        EXPECT_TRUE(std::isnan(g)) << y << "," << x;
      else
        EXPECT_EQ(g, w) << y << "," << x;
    }
  const auto restored = zarr_format().restore(driver->save());
  const auto again = read_everything(*restored);
  EXPECT_EQ(std::memcmp(again.data(), got.data(), got.size()), 0);
}

TEST_F(ZarrV3Files, Ngff05GroupLevelsAxesAndChannels) {
  const RefArray a = RefArray::pattern({2, 4, 6}, DType::uint8);
  const fs::path dir = tmp.path() / "img.ome.zarr";
  json ms = {{"axes",
              {{{"name", "c"}, {"type", "channel"}},
               {{"name", "y"}, {"type", "space"}, {"unit", "micrometer"}},
               {{"name", "x"}, {"type", "space"}, {"unit", "micrometer"}}}},
             {"datasets",
              {{{"path", "s0"}, {"coordinateTransformations", {{{"type", "scale"}, {"scale", {1, 0.5, 0.25}}}}}},
               {{"path", "s1"}, {"coordinateTransformations", {{{"type", "scale"}, {"scale", {1, 1.0, 0.5}}}}}}}}};
  json ome = json::object();
  ome["version"] = "0.5";
  ome["multiscales"] = json::array({ms});
  ome["omero"]["channels"] = json::array({json{{"label", "DAPI"}}, json{{"label", "GFP"}}});
  json group = json::object();
  group["zarr_format"] = 3;
  group["node_type"] = "group";
  group["attributes"]["ome"] = ome;
  write_json(dir / "zarr.json", group);
  write_json(dir / "s0/zarr.json", array_json({2, 4, 6}, {2, 4, 6}, "uint8", 0, {bytes_codec()}));
  write_file(dir / "s0/c/0/0/0", a.bytes);
  write_json(dir / "s1/zarr.json", array_json({2, 2, 3}, {2, 2, 3}, "uint8", 0, {bytes_codec()}));
  const auto driver = open("img.ome.zarr");
  EXPECT_EQ(driver->info().format, "ome-zarr");
  EXPECT_EQ(driver->info().dims, "CYX");
  EXPECT_EQ(driver->info().channel_names, (std::vector<std::string>{"DAPI", "GFP"}));
  EXPECT_DOUBLE_EQ(driver->info().physical_sizes.at('X').value, 0.25);
  EXPECT_EQ(read_everything(*driver), a.bytes);
  EXPECT_EQ(driver->info().levels, (std::vector<Shape>{{2, 4, 6}, {2, 2, 3}}));
  EXPECT_EQ(driver->info().storage, "chunks");
  const auto level1 = zarr_format().open(tmp / "img.ome.zarr", OpenOptions{1});
  EXPECT_EQ(level1->info().shape, (Shape{2, 2, 3}));
  EXPECT_EQ(level1->info().levels, driver->info().levels);
  EXPECT_DOUBLE_EQ(level1->info().physical_sizes.at('Y').value, 1.0);
  EXPECT_EQ(read_everything(*level1), std::vector<std::byte>(12, std::byte{0}));  // no chunks: fill
  EXPECT_NE(message_of([&] { zarr_format().open(tmp / "img.ome.zarr", OpenOptions{2}); }).find("level 2 does not exist"),
            std::string::npos);
  // The array itself: its dims still come from the group that lists it, also when the
  // dataset path is nested (ngff-zarr's "scale0/image").
  EXPECT_EQ(open("img.ome.zarr/s0")->info().dims, "CYX");
  ms["datasets"][1]["path"] = "scale1/image";
  group["attributes"]["ome"]["multiscales"] = json::array({ms});
  write_json(dir / "zarr.json", group);
  write_json(dir / "scale1/zarr.json", json{{"zarr_format", 3}, {"node_type", "group"}});
  write_json(dir / "scale1/image/zarr.json", array_json({2, 2, 3}, {2, 2, 3}, "uint8", 0, {bytes_codec()}));
  const auto nested = open("img.ome.zarr/scale1/image");
  EXPECT_EQ(nested->info().format, "ome-zarr");
  EXPECT_EQ(nested->info().dims, "CYX");
  EXPECT_DOUBLE_EQ(nested->info().physical_sizes.at('X').value, 0.5);
  EXPECT_EQ(nested->info().levels, (std::vector<Shape>{{2, 4, 6}, {2, 2, 3}}));
}

}  // namespace
}  // namespace strata::zarr

namespace strata::zarr {
namespace {

// Nothing a store says leads out of it (docs/security.md): multiscales paths that climb
// out or are absolute, and chunk keys, shards or key folders that are links leading out,
// are refused naming what was named; links that stay inside are followed.
class ZarrConfinement : public ZarrV3Files {
 protected:
  void SetUp() override {
    fs::create_directories(tmp.path() / "outside");
    write_json(tmp.path() / "outside/zarr.json", array_json({2, 3}, {2, 3}, "uint8", 0, {bytes_codec()}));
    write_file(tmp.path() / "outside/c/0/0", a.bytes);
  }
  // An NGFF 0.5 image group at store.zarr whose one level is at `path`.
  void write_image(const std::string& path) {
    json group = {{"zarr_format", 3}, {"node_type", "group"}};
    group["attributes"]["ome"] = {{"version", "0.5"},
                                  {"multiscales", {{{"axes", {{{"name", "y"}}, {{"name", "x"}}}},
                                                    {"datasets", {{{"path", path}}}}}}}};
    write_json(tmp.path() / "store.zarr/zarr.json", group);
  }
  // Chunk keys are checked when the chunk table is listed (on first use, not at open).
  std::string refusal(const std::string& name) {
    return message_of([&] { open(name)->chunks(); });
  }

  const RefArray a = RefArray::pattern({2, 3}, DType::uint8);
};

TEST_F(ZarrConfinement, MultiscalesPathsLeadingOutAreRefused) {
  const std::vector<std::string> paths{"../outside", "0/../../outside", (tmp.path() / "outside").string()};
  for (const std::string& path : paths) {
    write_image(path);
    const std::string why = refusal("store.zarr");
    EXPECT_NE(why.find("names \"" + path + "\""), std::string::npos) << why;
    EXPECT_NE(why.find("the input's folder " + (tmp / "store.zarr")), std::string::npos) << why;
  }
  fs::create_directory_symlink(tmp.path() / "outside", tmp.path() / "store.zarr/0");
  write_image("0");
  EXPECT_NE(refusal("store.zarr").find("through a symbolic link"), std::string::npos);
}

TEST_F(ZarrConfinement, ChunkKeysThatAreLinksOutAreRefusedLinksInsideFollowed) {
  const fs::path store = tmp.path() / "store.zarr";
  write_json(store / "zarr.json", array_json({2, 3}, {2, 3}, "uint8", 0, {bytes_codec()}));
  fs::create_directories(store / "c/0");
  fs::create_symlink(tmp.path() / "outside/c/0/0", store / "c/0/0");  // the chunk file
  EXPECT_NE(refusal("store.zarr").find("names \"c/0/0\", outside"), std::string::npos) << refusal("store.zarr");
  fs::remove_all(store / "c");
  fs::create_directory_symlink(tmp.path() / "outside/c", store / "c");  // a folder of the key
  EXPECT_NE(refusal("store.zarr").find("names \"c\", outside"), std::string::npos) << refusal("store.zarr");
  fs::remove(store / "c");
  fs::create_directories(store / "kept/0");
  write_file(store / "kept/0/0", a.bytes);
  fs::create_directory_symlink("kept", store / "c");  // inside the store: followed
  EXPECT_EQ(read_everything(*open("store.zarr")), a.bytes);

  // Zarr v2, "." keys: the chunk file itself.
  const fs::path v2 = tmp.path() / "v2.zarr";
  fs::create_directories(v2);
  write_file(v2 / ".zarray", [] {
    const std::string s = R"({"zarr_format": 2, "shape": [2, 3], "chunks": [2, 3], "dtype": "|u1", "compressor": null,
                             "fill_value": 0, "order": "C", "filters": null})";
    std::vector<std::byte> b(s.size());
    std::memcpy(b.data(), s.data(), s.size());
    return b;
  }());
  fs::create_symlink(tmp.path() / "outside/c/0/0", v2 / "0.0");
  EXPECT_NE(refusal("v2.zarr").find("names \"0.0\", outside"), std::string::npos) << refusal("v2.zarr");
}

}  // namespace
}  // namespace strata::zarr
