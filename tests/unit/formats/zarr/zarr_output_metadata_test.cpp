// The metadata of the .zarr output (Zarr v2 and v3, pyramids, shards), checked against the
// Zarr reader's own parsers: what strata writes must read back as the array it describes.
#include "formats/zarr/zarr_writer_metadata.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <map>

#include "formats/zarr/ome_zarr.hpp"
#include "formats/zarr/zarr_metadata.hpp"
#include "formats/zarr/zarr_shard_index.hpp"
#include "formats/zarr/zarr_v3_metadata.hpp"
#include "model/units.hpp"
#include "strata/error.hpp"

namespace strata::zarr {
namespace {

using nlohmann::json;

OutputSpec spec_of(const ArrayInfo& info, int plane_axes, std::string_view codec) {
  OutputSpec spec;
  spec.info = info;
  spec.plane_axes = plane_axes;
  spec.codec = std::string(codec);
  return spec;
}

ZarrDocuments v2_documents(const ArrayInfo& info, int plane_axes, std::string_view codec) {
  return zarr::zarr_documents(spec_of(info, plane_axes, codec));
}

ArrayInfo tczyx_info() {
  ArrayInfo info;
  info.dims = "TCZYX";
  info.shape = {2, 3, 5, 31, 29};
  info.dtype = DType::uint16;
  info.physical_sizes = {{'X', {0.25, "\u00b5m"}}, {'Y', {0.5, "\u00b5m"}}, {'T', {2.5, "s"}}};
  info.channel_names = {"DAPI", "GFP", ""};
  return info;
}

// What the Zarr reader makes of the documents: the group's multiscale, at `level`.
zarr::ImageDescription read_back(const ZarrDocuments& d, std::size_t level = 0) {
  zarr::ImageLocation location;
  const bool v3 = d.attributes.contains("ome");
  location.multiscale = (v3 ? d.attributes.at("ome") : d.attributes).at("multiscales").at(0);
  location.group_attrs = d.attributes;
  location.level = level;
  location.zarr_format = v3 ? 3 : 2;
  return zarr::describe_image(location, d.levels.at(level).at("shape").size());
}

TEST(ZarrOutputMetadata, ArrayIsOnePlanePerChunkAndReadsBack) {
  const ArrayInfo info = tczyx_info();
  const ZarrDocuments d = v2_documents(info, 2, "blosc-lz4");
  EXPECT_EQ(d.files.at(0).second, json({{"zarr_format", 2}}));
  EXPECT_EQ(d.levels.at(0).at("chunks"), json({1, 1, 1, 31, 29}));
  EXPECT_EQ(d.levels.at(0).at("order"), "C");
  EXPECT_EQ(d.levels.at(0).at("fill_value"), 0);
  EXPECT_TRUE(d.levels.at(0).at("filters").is_null());
  EXPECT_EQ(d.levels.at(0).at("dimension_separator"), "/");

  const zarr::ArrayMeta meta = zarr::parse_zarray(d.levels.at(0), "x.zarr/0/.zarray");
  EXPECT_EQ(meta.shape, info.shape);
  EXPECT_EQ(meta.chunks, (Shape{1, 1, 1, 31, 29}));
  EXPECT_EQ(meta.dtype, DType::uint16);
  EXPECT_FALSE(meta.swap_bytes);
  EXPECT_FALSE(meta.fortran_order);
  EXPECT_EQ(meta.codec, "blosc-lz4+shuffle");
  EXPECT_EQ(meta.fill, std::vector<std::uint8_t>(2, 0));
  EXPECT_EQ(meta.chunk_key({1, 2, 4, 0, 0}), "1/2/4/0/0");
}

TEST(ZarrOutputMetadata, NgffAxesScaleAndChannelsReadBack) {
  const ArrayInfo info = tczyx_info();
  const ZarrDocuments d = v2_documents(info, 2, "none");
  const json& ms = d.attributes.at("multiscales").at(0);
  EXPECT_EQ(ms.at("version"), "0.4");
  EXPECT_EQ(ms.at("axes"), json::parse(R"([{"name": "t", "type": "time", "unit": "second"},
                                             {"name": "c", "type": "channel"},
                                             {"name": "z", "type": "space"},
                                             {"name": "y", "type": "space", "unit": "micrometer"},
                                             {"name": "x", "type": "space", "unit": "micrometer"}])"));
  EXPECT_EQ(ms.at("datasets"), json::parse(R"([{"path": "0", "coordinateTransformations":
                                                 [{"type": "scale", "scale": [2.5, 1.0, 1.0, 0.5, 0.25]},
                                                  {"type": "translation", "translation": [0.0, 0.0, 0.0, 0.0, 0.0]}]}])"));
  EXPECT_FALSE(ms.contains("type"));  // one level: no downscaling method

  const zarr::ImageDescription back = read_back(d);
  EXPECT_EQ(back.format, "ome-zarr");
  EXPECT_EQ(back.dims, "TCZYX");
  EXPECT_EQ(back.channel_names, info.channel_names);
  // The reader gives OME's symbols back, so a round trip keeps the units as they were.
  EXPECT_EQ(back.physical_sizes.at('X'), (PhysicalSize{0.25, "\u00b5m"}));
  EXPECT_EQ(back.physical_sizes.at('Y'), (PhysicalSize{0.5, "\u00b5m"}));
}

TEST(ZarrOutputMetadata, SamplesAreInsideThePlaneChunkAndHaveNoAxisType) {
  ArrayInfo info;
  info.dims = "ZYXS";
  info.shape = {4, 21, 23, 3};
  info.dtype = DType::uint8;
  const ZarrDocuments d = v2_documents(info, 3, "gzip");
  EXPECT_EQ(d.levels.at(0).at("chunks"), json({1, 21, 23, 3}));
  EXPECT_EQ(d.levels.at(0).at("dtype"), "|u1");
  EXPECT_EQ(d.levels.at(0).at("compressor"), json({{"id", "gzip"}, {"level", 1}}));
  EXPECT_EQ(d.attributes.at("multiscales").at(0).at("axes").at(3), json({{"name", "s"}}));
  EXPECT_FALSE(d.attributes.contains("omero"));  // no channel names, no omero
  EXPECT_EQ(read_back(d).dims, "ZYXS");
}

TEST(ZarrOutputMetadata, EmptyAxesStillHaveChunksOfOne) {
  ArrayInfo info;
  info.dims = "ZYX";
  info.shape = {3, 0, 5};
  const ZarrDocuments d = v2_documents(info, 2, "none");
  EXPECT_EQ(d.levels.at(0).at("chunks"), json({1, 1, 5}));
  EXPECT_EQ(zarr::parse_zarray(d.levels.at(0), "x").shape, info.shape);
}

TEST(ZarrOutputMetadata, CompressorsAreNumcodecsConfigurations) {
  EXPECT_EQ(zarr_codecs().front(), "blosc-lz4");
  EXPECT_EQ(zarr_compressor("blosc-lz4"),
            json({{"id", "blosc"}, {"cname", "lz4"}, {"clevel", 5}, {"shuffle", 1}, {"blocksize", 0}}));
  EXPECT_EQ(zarr_compressor("blosc-zstd").at("cname"), "zstd");
  EXPECT_EQ(zarr_compressor("zstd"), json({{"id", "zstd"}, {"level", 1}}));
  EXPECT_TRUE(zarr_compressor("none").is_null());
  EXPECT_THROW(zarr_compressor("lzw"), Error);
  EXPECT_THROW(zarr_compressor("blosc-snappy"), Error);
  const std::map<std::string_view, std::string> read_as{
      {"blosc-lz4", "blosc-lz4+shuffle"}, {"blosc-zstd", "blosc-zstd+shuffle"}, {"gzip", "gzip"}, {"zstd", "zstd"},
      {"none", "raw"}};
  ArrayInfo info;
  info.dims = "YX";
  info.shape = {4, 5};
  for (auto codec : zarr_codecs())
    EXPECT_EQ(zarr::parse_zarray(v2_documents(info, 2, codec).levels.at(0), "x").codec, read_as.at(codec)) << codec;
}

TEST(ZarrOutputMetadata, TypestrsReadBackAsTheirDtype) {
  const char order = std::endian::native == std::endian::little ? '<' : '>';
  EXPECT_EQ(zarr_typestr(DType::uint8), "|u1");
  EXPECT_EQ(zarr_typestr(DType::int8), "|i1");
  EXPECT_EQ(zarr_typestr(DType::uint16), std::string{order} + "u2");
  EXPECT_EQ(zarr_typestr(DType::int64), std::string{order} + "i8");
  EXPECT_EQ(zarr_typestr(DType::float32), std::string{order} + "f4");
  EXPECT_EQ(zarr_typestr(DType::bool_), "|b1");
  EXPECT_EQ(zarr_typestr(DType::float16), std::string{order} + "f2");
  for (DType t : {DType::uint8, DType::uint16, DType::uint32, DType::uint64, DType::int8, DType::int16, DType::int32,
                  DType::int64, DType::float32, DType::float64}) {
    const json zarray{{"shape", {2}}, {"chunks", {2}}, {"dtype", zarr_typestr(t)}};
    const zarr::ArrayMeta meta = zarr::parse_zarray(zarray, "x");
    EXPECT_EQ(meta.dtype, t) << name(t);
    EXPECT_FALSE(meta.swap_bytes) << name(t);
  }
}

TEST(ZarrOutputMetadata, UnitsGetNgffNames) {
  EXPECT_EQ(ngff_unit("\u00b5m"), "micrometer");
  EXPECT_EQ(ngff_unit("um"), "micrometer");
  EXPECT_EQ(ngff_unit("nm"), "nanometer");
  EXPECT_EQ(ngff_unit("\u00c5"), "angstrom");
  EXPECT_EQ(ngff_unit("s"), "second");
  EXPECT_EQ(ngff_unit("ms"), "millisecond");
  EXPECT_EQ(ngff_unit("min"), "minute");
  EXPECT_EQ(ngff_unit("micrometer"), "micrometer");  // already NGFF
  EXPECT_EQ(ngff_unit("pixel"), "pixel");            // NGFF has no name: kept
  EXPECT_EQ(unit_symbol("micrometer"), "\u00b5m");  // back to OME's symbol, as readers report it
  EXPECT_EQ(unit_symbol("second"), "s");
  EXPECT_EQ(unit_symbol("pixel"), "pixel");
}

TEST(ZarrOutputMetadata, DimsMustNameEveryAxis) {
  ArrayInfo info;
  info.dims = "YX";
  info.shape = {2, 3, 4};
  EXPECT_THROW(v2_documents(info, 2, "none"), Error);
}

}  // namespace
}  // namespace strata::zarr

namespace strata::zarr {
namespace {

using nlohmann::json;

OutputSpec pyramid_spec(int zarr_format, int levels, std::string_view codec = "blosc-lz4") {
  OutputSpec spec;
  spec.info.dims = "TCZYX";
  spec.info.shape = {2, 3, 5, 31, 29};
  spec.info.dtype = DType::uint16;
  spec.info.physical_sizes = {{'X', {0.25, "\u00b5m"}}, {'Y', {0.5, "\u00b5m"}}, {'Z', {2.0, "\u00b5m"}},
                              {'T', {2.5, "s"}}};
  spec.info.channel_names = {"DAPI", "GFP", ""};
  spec.plane_axes = 2;
  spec.codec = std::string(codec);
  spec.levels = levels;
  spec.zarr_format = zarr_format;
  return spec;
}

TEST(ZarrOutputMetadata, PyramidLevelsAreArraysOfHalvedPlanes) {
  for (int format : {2, 3}) {
    const ZarrDocuments d = zarr_documents(pyramid_spec(format, 3));
    ASSERT_EQ(d.levels.size(), 3u);
    const Shape shapes[] = {{2, 3, 5, 31, 29}, {2, 3, 5, 16, 15}, {2, 3, 5, 8, 8}};
    for (std::size_t k = 0; k < 3; ++k) {
      EXPECT_EQ(d.files.at(d.files.size() - 3 + k).first,
                std::to_string(k) + (format == 3 ? "/zarr.json" : "/.zarray"));
      Shape plane = shapes[k];
      std::fill(plane.begin(), plane.begin() + 3, 1);
      if (format == 2) {
        const ArrayMeta meta = parse_zarray(d.levels[k], "x");
        EXPECT_EQ(meta.shape, shapes[k]) << k;
        EXPECT_EQ(meta.chunks, plane) << k;
      } else {
        const V3ArrayMeta meta = parse_v3_array(d.levels[k], "x");
        EXPECT_EQ(meta.shape, shapes[k]) << k;
        EXPECT_EQ(meta.chunks, plane) << k;
      }
    }
  }
}

// Scale × 2^k on Y and X; translation: the origin × scale on space and time axes, plus
// (2^k − 1)/2 level-0 pixels on Y and X (ngff-zarr's pixel-centre convention).
TEST(ZarrOutputMetadata, LevelTransformsKeepTheOriginAndPixelCentres) {
  OutputSpec spec = pyramid_spec(2, 3);
  spec.origin = {4, 1, 10, 100, 8};
  const json ms = zarr_documents(spec).attributes.at("multiscales").at(0);
  EXPECT_EQ(ms.at("type"), "mean");
  EXPECT_EQ(ms.at("datasets"), json::parse(R"([
      {"path": "0", "coordinateTransformations": [{"type": "scale", "scale": [2.5, 1.0, 2.0, 0.5, 0.25]},
                                                  {"type": "translation", "translation": [10.0, 0.0, 20.0, 50.0, 2.0]}]},
      {"path": "1", "coordinateTransformations": [{"type": "scale", "scale": [2.5, 1.0, 2.0, 1.0, 0.5]},
                                                  {"type": "translation", "translation": [10.0, 0.0, 20.0, 50.25, 2.125]}]},
      {"path": "2", "coordinateTransformations": [{"type": "scale", "scale": [2.5, 1.0, 2.0, 2.0, 1.0]},
                                                  {"type": "translation", "translation": [10.0, 0.0, 20.0, 50.75, 2.375]}]}
  ])"));
  // The reader's physical size of a level is its scale.
  const ZarrDocuments d = zarr_documents(spec);
  zarr::ImageLocation location;
  location.multiscale = ms;
  location.group_attrs = d.attributes;
  location.level = 2;
  const ImageDescription back = describe_image(location, 5);
  EXPECT_EQ(back.physical_sizes.at('Y'), (PhysicalSize{2.0, "\u00b5m"}));
  EXPECT_EQ(back.physical_sizes.at('X'), (PhysicalSize{1.0, "\u00b5m"}));
}

TEST(ZarrOutputMetadata, V3GroupIsOmeNgff05) {
  const ZarrDocuments d = zarr_documents(pyramid_spec(3, 2));
  ASSERT_EQ(d.files.front().first, "zarr.json");
  const json& group = d.files.front().second;
  EXPECT_EQ(group.at("zarr_format"), 3);
  EXPECT_EQ(group.at("node_type"), "group");
  const json& ome = group.at("attributes").at("ome");
  EXPECT_EQ(ome.at("version"), "0.5");
  const json& ms = ome.at("multiscales").at(0);
  EXPECT_FALSE(ms.contains("version"));  // 0.5 states it once, in "ome"
  EXPECT_EQ(ms.at("axes").at(3), json::parse(R"({"name": "y", "type": "space", "unit": "micrometer"})"));
  EXPECT_EQ(ms.at("datasets").size(), 2u);
  EXPECT_EQ(ome.at("omero"), json::parse(R"({"channels": [{"label": "DAPI"}, {"label": "GFP"}, {"label": ""}]})"));
  EXPECT_EQ(group.at("attributes"), d.attributes);

  zarr::ImageLocation location;
  location.multiscale = ms;
  location.group_attrs = d.attributes;
  location.level = 1;
  location.zarr_format = 3;
  const ImageDescription back = describe_image(location, 5);
  EXPECT_EQ(back.dims, "TCZYX");
  EXPECT_EQ(back.channel_names, (std::vector<std::string>{"DAPI", "GFP", ""}));
  EXPECT_EQ(back.physical_sizes.at('Y'), (PhysicalSize{1.0, "\u00b5m"}));
}

TEST(ZarrOutputMetadata, V3ArrayDocumentIsWhatZarrPython3Writes) {
  const ZarrDocuments d = zarr_documents(pyramid_spec(3, 1));
  EXPECT_EQ(d.levels.at(0), json::parse(R"({
      "zarr_format": 3, "node_type": "array", "shape": [2, 3, 5, 31, 29], "data_type": "uint16",
      "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [1, 1, 1, 31, 29]}},
      "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
      "fill_value": 0,
      "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                 {"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5, "shuffle": "shuffle",
                                                     "typesize": 2, "blocksize": 0}}],
      "attributes": {}, "dimension_names": ["t", "c", "z", "y", "x"], "storage_transformers": []})"));
  const V3ArrayMeta meta = parse_v3_array(d.levels.at(0), "x");
  EXPECT_EQ(meta.chunk_key({1, 2, 4, 0, 0}), "c/1/2/4/0/0");
}

TEST(ZarrOutputMetadata, V3CodecsReadBackAsTheyWereConfigured) {
  const std::map<std::string_view, json> compressor{
      {"blosc-lz4", json::parse(R"({"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5,
                                   "shuffle": "shuffle", "typesize": 2, "blocksize": 0}})")},
      {"blosc-zstd", json::parse(R"({"name": "blosc", "configuration": {"cname": "zstd", "clevel": 5,
                                    "shuffle": "shuffle", "typesize": 2, "blocksize": 0}})")},
      {"gzip", json::parse(R"({"name": "gzip", "configuration": {"level": 1}})")},
      {"zstd", json::parse(R"({"name": "zstd", "configuration": {"level": 1, "checksum": false}})")}};
  const std::map<std::string_view, V3Compressor> kind{{"blosc-lz4", V3Compressor::blosc},
                                                     {"blosc-zstd", V3Compressor::blosc},
                                                     {"gzip", V3Compressor::gzip},
                                                     {"zstd", V3Compressor::zstd},
                                                     {"none", V3Compressor::none}};
  for (auto codec : zarr_codecs()) {
    const json codecs = zarr_documents(pyramid_spec(3, 1, codec)).levels.at(0).at("codecs");
    EXPECT_EQ(codecs.size(), codec == "none" ? 1u : 2u) << codec;
    if (codec != "none") {
      EXPECT_EQ(codecs.at(1), compressor.at(codec)) << codec;
    }
    const V3ArrayMeta meta = parse_v3_array(zarr_documents(pyramid_spec(3, 1, codec)).levels.at(0), "x");
    EXPECT_EQ(meta.codecs.compressor, kind.at(codec)) << codec;
    EXPECT_FALSE(meta.codecs.big_endian) << codec;
    EXPECT_FALSE(meta.codecs.sharding) << codec;
  }
}

TEST(ZarrOutputMetadata, V3DataTypesAndFillValues) {
  OutputSpec spec = pyramid_spec(3, 1, "none");
  for (DType t : {DType::bool_, DType::uint8, DType::int64, DType::float16, DType::float32, DType::float64}) {
    spec.info.dtype = t;
    const json array = zarr_documents(spec).levels.at(0);
    EXPECT_EQ(array.at("data_type"), std::string(name(t)));
    EXPECT_EQ(array.at("fill_value"), t == DType::bool_ ? json(false) : json(0)) << name(t);
    const V3ArrayMeta meta = parse_v3_array(array, "x");
    EXPECT_EQ(meta.data_type, std::string(name(t)));
    EXPECT_EQ(meta.fill, std::vector<std::uint8_t>(size_of(t), 0)) << name(t);
  }
}

TEST(ZarrOutputMetadata, ShardsHoldWholePlanesAlongTheInnermostLeadingAxis) {
  OutputSpec spec = pyramid_spec(3, 2, "zstd");
  spec.shard = {0, 1, 4, 0, 31};  // Z=4, X=31 (at least the plane: the whole plane)
  EXPECT_EQ(zarr_shard_planes(spec), 4);
  EXPECT_EQ(zarr_grid_chunk(spec, 0), (Shape{1, 1, 4, 31, 29}));
  EXPECT_EQ(zarr_grid_chunk(spec, 1), (Shape{1, 1, 4, 16, 15}));
  const ZarrDocuments d = zarr_documents(spec);
  EXPECT_EQ(d.levels.at(1).at("codecs"), json::parse(R"([{"name": "sharding_indexed", "configuration": {
      "chunk_shape": [1, 1, 1, 16, 15],
      "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                 {"name": "zstd", "configuration": {"level": 1, "checksum": false}}],
      "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
      "index_location": "end"}}])"));
  for (int k = 0; k < 2; ++k) {
    const V3ArrayMeta meta = parse_v3_array(d.levels.at(static_cast<std::size_t>(k)), "x");
    EXPECT_EQ(meta.chunks, zarr_grid_chunk(spec, k));
    ASSERT_TRUE(meta.codecs.sharding);
    EXPECT_EQ(meta.leaf_chunk(), (Shape{1, 1, 1, meta.shape[3], meta.shape[4]}));
    EXPECT_FALSE(meta.codecs.sharding->index_at_start);
    EXPECT_EQ(meta.codecs.sharding->index_codecs.crc32c_inner + meta.codecs.sharding->index_codecs.crc32c_outer, 1);
    EXPECT_EQ(meta.leaf_codecs().compressor, V3Compressor::zstd);
    EXPECT_EQ(meta.chunk_key({1, 2, 1, 0, 0}), "c/1/2/1/0/0");
  }
  spec.shard = {0, 0, 0, 0, 0};  // every axis one chunk: shards of one plane
  EXPECT_EQ(zarr_shard_planes(spec), 1);
  spec.shard.clear();
  EXPECT_EQ(zarr_shard_planes(spec), 1);
  EXPECT_FALSE(parse_v3_array(zarr_documents(spec).levels.at(0), "x").codecs.sharding);
}

TEST(ZarrOutputMetadata, ShardsStrataCannotWriteAreRefused) {
  const auto message = [](OutputSpec spec) {
    try {
      zarr_documents(spec);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  OutputSpec spec = pyramid_spec(2, 1);
  spec.shard = {0, 0, 4, 0, 0};
  EXPECT_NE(message(spec).find("shards are a Zarr v3 feature"), std::string::npos) << message(spec);
  EXPECT_THROW(zarr_shard_planes(spec), Error);
  spec.zarr_format = 3;
  spec.shard = {0, 2, 4, 0, 0};  // C=2: two runs of planes
  EXPECT_NE(message(spec).find("a shard of 2 along C is not supported"), std::string::npos) << message(spec);
  spec.shard = {2, 0, 0, 0, 0};
  EXPECT_NE(message(spec).find("along T is not supported"), std::string::npos) << message(spec);
  spec.shard = {1, 1, 4, 16, 0};  // T=1, C=1 are one plane: fine; Y=16 is not a whole plane
  EXPECT_NE(message(spec).find("a shard of 16 along Y is smaller than the plane (31)"), std::string::npos)
      << message(spec);
  spec.shard = {0, 0, std::int64_t{1} << 40, 0, 0};
  EXPECT_NE(message(spec).find("inner chunks strata reads"), std::string::npos) << message(spec);
  spec.shard = {1, 1, 4, 64, 29};
  EXPECT_EQ(message(spec), "no error");
}

TEST(ZarrShardIndex, OffsetsAndSizesLittleEndianThenCrc32c) {
  const std::vector<ShardEntry> entries{{0, 10}, {10, 5}, {}};
  ASSERT_EQ(shard_index_bytes(entries.size()), 52u);
  std::vector<std::byte> out(52, std::byte{0xAA});
  encode_shard_index(entries, out);
  std::vector<std::uint8_t> expected(52, 0);
  expected[8] = 10;
  expected[16] = 10;
  expected[24] = 5;
  std::fill(expected.begin() + 32, expected.begin() + 48, 0xFF);
  // CRC-32C of the 48 bytes before it, computed with a bitwise reference implementation.
  const std::uint8_t crc[] = {0xF1, 0x5B, 0xE9, 0x02};
  std::copy(std::begin(crc), std::end(crc), expected.begin() + 48);
  std::vector<std::uint8_t> got(out.size());
  std::transform(out.begin(), out.end(), got.begin(), [](std::byte b) { return static_cast<std::uint8_t>(b); });
  EXPECT_EQ(got, expected);
}

}  // namespace
}  // namespace strata::zarr
