// The metadata of the .zarr output, checked against the Zarr reader's own parsers: what
// strata writes must read back as the array it describes.
#include "formats/zarr/zarr_writer_metadata.hpp"

#include <gtest/gtest.h>

#include <bit>

#include "formats/zarr/ome_zarr.hpp"
#include "formats/zarr/zarr_metadata.hpp"
#include "model/units.hpp"
#include "strata/error.hpp"

namespace strata::zarr {
namespace {

using nlohmann::json;

ArrayInfo tczyx_info() {
  ArrayInfo info;
  info.dims = "TCZYX";
  info.shape = {2, 3, 5, 31, 29};
  info.dtype = DType::uint16;
  info.physical_sizes = {{'X', {0.25, "\u00b5m"}}, {'Y', {0.5, "\u00b5m"}}, {'T', {2.5, "s"}}};
  info.channel_names = {"DAPI", "GFP", ""};
  return info;
}

// What the Zarr reader makes of the documents: the group's multiscale, level 0.
zarr::ImageDescription read_back(const ZarrDocuments& d) {
  zarr::ImageLocation location;
  location.multiscale = d.zattrs.at("multiscales").at(0);
  location.group_attrs = d.zattrs;
  return zarr::describe_image(location, d.zarray.at("shape").size());
}

TEST(ZarrOutputMetadata, ArrayIsOnePlanePerChunkAndReadsBack) {
  const ArrayInfo info = tczyx_info();
  const ZarrDocuments d = zarr_documents(info, 2, "blosc-lz4");
  EXPECT_EQ(d.zgroup, json({{"zarr_format", 2}}));
  EXPECT_EQ(d.zarray.at("chunks"), json({1, 1, 1, 31, 29}));
  EXPECT_EQ(d.zarray.at("order"), "C");
  EXPECT_EQ(d.zarray.at("fill_value"), 0);
  EXPECT_TRUE(d.zarray.at("filters").is_null());
  EXPECT_EQ(d.zarray.at("dimension_separator"), "/");

  const zarr::ArrayMeta meta = zarr::parse_zarray(d.zarray, "x.zarr/0/.zarray");
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
  const ZarrDocuments d = zarr_documents(info, 2, "none");
  const json& ms = d.zattrs.at("multiscales").at(0);
  EXPECT_EQ(ms.at("version"), "0.4");
  EXPECT_EQ(ms.at("axes"), json::parse(R"([{"name": "t", "type": "time", "unit": "second"},
                                             {"name": "c", "type": "channel"},
                                             {"name": "z", "type": "space"},
                                             {"name": "y", "type": "space", "unit": "micrometer"},
                                             {"name": "x", "type": "space", "unit": "micrometer"}])"));
  EXPECT_EQ(ms.at("datasets"), json::parse(R"([{"path": "0", "coordinateTransformations":
                                                 [{"type": "scale", "scale": [2.5, 1.0, 1.0, 0.5, 0.25]}]}])"));

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
  const ZarrDocuments d = zarr_documents(info, 3, "gzip");
  EXPECT_EQ(d.zarray.at("chunks"), json({1, 21, 23, 3}));
  EXPECT_EQ(d.zarray.at("dtype"), "|u1");
  EXPECT_EQ(d.zarray.at("compressor"), json({{"id", "gzip"}, {"level", 1}}));
  EXPECT_EQ(d.zattrs.at("multiscales").at(0).at("axes").at(3), json({{"name", "s"}}));
  EXPECT_FALSE(d.zattrs.contains("omero"));  // no channel names, no omero
  EXPECT_EQ(read_back(d).dims, "ZYXS");
}

TEST(ZarrOutputMetadata, EmptyAxesStillHaveChunksOfOne) {
  ArrayInfo info;
  info.dims = "ZYX";
  info.shape = {3, 0, 5};
  const ZarrDocuments d = zarr_documents(info, 2, "none");
  EXPECT_EQ(d.zarray.at("chunks"), json({1, 1, 5}));
  EXPECT_EQ(zarr::parse_zarray(d.zarray, "x").shape, info.shape);
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
    EXPECT_EQ(zarr::parse_zarray(zarr_documents(info, 2, codec).zarray, "x").codec, read_as.at(codec)) << codec;
}

TEST(ZarrOutputMetadata, TypestrsReadBackAsTheirDtype) {
  const char order = std::endian::native == std::endian::little ? '<' : '>';
  EXPECT_EQ(zarr_typestr(DType::uint8), "|u1");
  EXPECT_EQ(zarr_typestr(DType::int8), "|i1");
  EXPECT_EQ(zarr_typestr(DType::uint16), std::string{order} + "u2");
  EXPECT_EQ(zarr_typestr(DType::int64), std::string{order} + "i8");
  EXPECT_EQ(zarr_typestr(DType::float32), std::string{order} + "f4");
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
  EXPECT_THROW(zarr_documents(info, 2, "none"), Error);
}

}  // namespace
}  // namespace strata::zarr
