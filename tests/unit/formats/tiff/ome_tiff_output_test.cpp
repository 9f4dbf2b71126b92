// The OME-TIFF output's pure part: plane formats, OME-XML read back by strata's own OME-XML
// parser, in-place packing, and whole files assembled here from the layout (as one rank
// writes them) read back by libtiff, with no warning, and by strata's TIFF driver.
#include "formats/tiff/ome_tiff_layout.hpp"

#include <gtest/gtest.h>
#include <tiffio.h>
#include <unistd.h>

#include <cstdarg>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>

#include <pugixml.hpp>

#include "codecs/predictor.hpp"
#include "model/pyramid.hpp"
#include "formats/tiff/ome_xml.hpp"
#include "formats/tiff/tiff_format.hpp"
#include "strata/error.hpp"

namespace strata::ome_tiff {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kUuid = "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e";

ArrayInfo array_info(std::string dims, Shape shape, DType dtype) {
  ArrayInfo info;
  info.dims = std::move(dims);
  info.shape = std::move(shape);
  info.dtype = dtype;
  return info;
}

std::string refusal(const ArrayInfo& info, std::string_view codec = "none") {
  try {
    plane_format(info, codec);
  } catch (const Error& e) {
    return e.cause();
  }
  return "";
}

// ---- plane formats ------------------------------------------------------------------------

TEST(OmeTiffPlaneFormat, CanonicalDimsAreXYZCT) {
  const PlaneFormat f = plane_format(array_info("TCZYX", {2, 3, 4, 5, 6}, DType::uint16), "none");
  EXPECT_EQ(f.dimension_order, "XYZCT");
  EXPECT_EQ(f.size_t, 2);
  EXPECT_EQ(f.size_c, 3);
  EXPECT_EQ(f.size_z, 4);
  EXPECT_EQ(f.length, 5u);
  EXPECT_EQ(f.width, 6u);
  EXPECT_EQ(f.samples, 1);
  EXPECT_EQ(f.planes, 24u);
  EXPECT_EQ(f.compression, 1);
  EXPECT_EQ(f.predictor, 1);
  for (const char* dims : {"ZYX", "CZYX", "TZYX", "TCYX", "YX"})
    EXPECT_EQ(plane_format(array_info(dims, Shape(std::strlen(dims), 3), DType::uint8), "none").dimension_order,
              "XYZCT")
        << dims;
}

TEST(OmeTiffPlaneFormat, OtherOrdersNameTheFastestAxisFirst) {
  EXPECT_EQ(plane_format(array_info("ZCYX", {2, 3, 4, 5}, DType::uint8), "none").dimension_order, "XYCZT");
  EXPECT_EQ(plane_format(array_info("ZTCYX", {2, 3, 4, 5, 6}, DType::uint8), "none").dimension_order, "XYCTZ");
  EXPECT_EQ(plane_format(array_info("CTYX", {2, 3, 4, 5}, DType::uint8), "none").dimension_order, "XYTCZ");
}

TEST(OmeTiffPlaneFormat, SamplesAndCodecs) {
  const PlaneFormat rgb = plane_format(array_info("CYXS", {2, 7, 9, 3}, DType::uint8), "deflate");
  EXPECT_EQ(rgb.samples, 3);
  EXPECT_EQ(rgb.planes, 2u);
  EXPECT_EQ(rgb.row_bytes(), 27u);
  EXPECT_EQ(rgb.compression, 8);
  EXPECT_EQ(rgb.predictor, 2);
  const PlaneFormat floats = plane_format(array_info("ZYX", {2, 7, 9}, DType::float32), "zstd");
  EXPECT_EQ(floats.compression, 50000);
  EXPECT_EQ(floats.predictor, 1);  // predictor 2 only for integers
}

TEST(OmeTiffPlaneFormat, StripsHoldWholeRowsOfAFewHundredKiB) {
  const PlaneFormat f = plane_format(array_info("YX", {1000, 1000}, DType::uint16), "none");
  EXPECT_GE(f.strip_bytes(), std::size_t{64} << 10);
  EXPECT_LE(f.strip_bytes(), std::size_t{1} << 20);
  std::size_t total = 0;
  for (std::uint32_t k = 0; k < f.strips_per_plane(); ++k) total += f.strip_bytes(k);
  EXPECT_EQ(total, f.plane_bytes());
  // A row larger than the target is one strip per row.
  const PlaneFormat wide = plane_format(array_info("YX", {3, 1 << 20}, DType::uint8), "none");
  EXPECT_EQ(wide.rows_per_strip, 1u);
  EXPECT_EQ(wide.strips_per_plane(), 3u);
}

TEST(OmeTiffPlaneFormat, RefusesWhatOmeTiffCannotHold) {
  EXPECT_NE(refusal(array_info("ZYX", {2, 3, 4}, DType::int64)).find("no 64-bit integer"), std::string::npos);
  EXPECT_NE(refusal(array_info("ZYX", {2, 3, 4}, DType::uint64)).find("no 64-bit integer"), std::string::npos);
  EXPECT_NE(refusal(array_info("QZYX", {2, 2, 3, 4}, DType::uint8)).find("have Q"), std::string::npos);
  EXPECT_NE(refusal(array_info("X", {4}, DType::uint8)).find("do not end in"), std::string::npos);
  EXPECT_NE(refusal(array_info("ZYX", {0, 3, 4}, DType::uint8)).find("empty"), std::string::npos);
  EXPECT_NE(refusal(array_info("ZYX", {1, 3, 4}, DType::uint8), "lzw").find("unknown codec"), std::string::npos);
  EXPECT_EQ(refusal(array_info("ZYX", {1, 3, 4}, DType::int32)), "");
}

TEST(OmeTiffPlaneFormat, LevelsHalveYAndXAsLevelShapeDoes) {
  const PlaneFormat f = plane_format(array_info("ZYXS", {2, 1001, 3001, 3}, DType::uint16), "deflate");
  for (int level = 1; level < 6; ++level) {
    const PlaneFormat l = level_format(f, level);
    const Shape shape = level_shape({2, 1001, 3001, 3}, 3, level);
    EXPECT_EQ(l.length, static_cast<std::uint32_t>(shape[1])) << level;
    EXPECT_EQ(l.width, static_cast<std::uint32_t>(shape[2])) << level;
    EXPECT_EQ(l.planes, f.planes);
    EXPECT_EQ(l.compression, f.compression);
    EXPECT_EQ(l.predictor, f.predictor);
    EXPECT_EQ(l.rows_per_strip, plane_format(array_info("YXS", {shape[1], shape[2], 3}, DType::uint16), "deflate")
                                    .rows_per_strip);
  }
}

TEST(OmeTiffLayout, SubIfdsFollowTheMainChainLevelByLevel) {
  const PlaneFormat f = plane_format(array_info("ZYX", {3, 700, 400}, DType::uint16), "none");
  const FileLayout flat(f, 100), pyramid(f, 100, 3);
  EXPECT_EQ(pyramid.levels(), 3);
  EXPECT_GT(pyramid.ifd_offset(1), flat.ifd_offset(1));  // IFD 0 lists its SubIFDs
  // Each IFD is as long as append_ifd writes it, so nothing overlaps and nothing is left out.
  std::vector<std::byte> ifds;
  for (int level = 0; level < 3; ++level)
    for (std::uint64_t p = 0; p < 3; ++p) {
      EXPECT_EQ(ifds.size() + 16, pyramid.ifd_offset(p, level)) << level << " " << p;
      const std::vector<std::uint64_t> strips(pyramid.format(level).strips_per_plane(), 0);
      append_ifd(ifds, pyramid, p, level, strips, strips, std::string(100, 'x'));
    }
  EXPECT_EQ(ifds.size() + 16, pyramid.data_offset());
}

// ---- OME-XML ------------------------------------------------------------------------------

tiff::OmeImage parsed_image(const ArrayInfo& info) {
  const tiff::OmeDocument doc = tiff::parse_ome_xml(ome_xml(info, plane_format(info, "none"), kUuid));
  EXPECT_EQ(doc.uuid, kUuid);
  EXPECT_EQ(doc.images.size(), 1u);
  return doc.images.at(0);
}

TEST(OmeTiffXml, ReadsBackSizesTypeAndPlanes) {
  const tiff::OmeImage image = parsed_image(array_info("TCZYX", {2, 3, 4, 5, 6}, DType::float32));
  EXPECT_EQ(image.dimension_order, "XYZCT");
  EXPECT_EQ(image.dtype, DType::float32);
  EXPECT_EQ(image.type_name, "float");
  EXPECT_EQ(image.size_t, 2);
  EXPECT_EQ(image.size_c, 3);
  EXPECT_EQ(image.size_z, 4);
  EXPECT_EQ(image.size_y, 5);
  EXPECT_EQ(image.size_x, 6);
  // Plane (t, c, z) is IFD (t*C + c)*Z + z of this very file.
  ASSERT_EQ(image.planes.size(), 24u);
  for (std::size_t i = 0; i < image.planes.size(); ++i)
    EXPECT_EQ(image.planes[i], (tiff::OmePlane{0, static_cast<std::uint32_t>(i)}));
}

TEST(OmeTiffXml, PlanesOfAnyDimsOrderLandInCOrder) {
  // dims ZCYX: IFD n holds z = n / C, c = n % C.
  const tiff::OmeImage image = parsed_image(array_info("ZCYX", {4, 3, 5, 6}, DType::uint8));
  for (std::uint32_t n = 0; n < 12; ++n) {
    const std::size_t z = n / 3, c = n % 3;
    EXPECT_EQ(image.planes[c * 4 + z].ifd, n) << "z=" << z << " c=" << c;
  }
}

TEST(OmeTiffXml, RgbSamplesAreChannelsOfThreeSamples) {
  const ArrayInfo info = array_info("CYXS", {2, 7, 9, 3}, DType::uint16);
  const std::string xml = ome_xml(info, plane_format(info, "none"), kUuid);
  EXPECT_NE(xml.find("SizeC=\"6\""), std::string::npos) << xml;
  const tiff::OmeImage image = tiff::parse_ome_xml(xml).images.at(0);
  EXPECT_EQ(image.samples_per_pixel, 3);
  EXPECT_EQ(image.size_c, 2);
}

TEST(OmeTiffXml, EscapesChannelNamesAndKeepsPhysicalSizes) {
  ArrayInfo info = array_info("CZYX", {2, 3, 4, 5}, DType::uint16);
  info.channel_names = {"DAPI & <nuclei>", "GFP \"green\" \u00b5\x01"};
  info.physical_sizes = {{'X', {0.1625, "um"}}, {'Y', {0.1625, "\u00b5m"}}, {'Z', {2.0, ""}},
                         {'T', {1.5, "min"}}};
  const tiff::OmeImage image = parsed_image(info);
  EXPECT_EQ(image.channel_names, (std::vector<std::string>{"DAPI & <nuclei>", "GFP \"green\" \u00b5"}));
  EXPECT_EQ(image.physical_sizes.at('X'), (PhysicalSize{0.1625, "\u00b5m"}));
  EXPECT_EQ(image.physical_sizes.at('Y'), (PhysicalSize{0.1625, "\u00b5m"}));
  EXPECT_EQ(image.physical_sizes.at('Z'), (PhysicalSize{2.0, "\u00b5m"}));  // OME's default unit
  EXPECT_EQ(image.physical_sizes.at('T'), (PhysicalSize{1.5, "min"}));
}

TEST(OmeTiffXml, LeavesOutSizesInUnitsOmeDoesNotKnow) {
  ArrayInfo info = array_info("ZYX", {2, 3, 4}, DType::uint8);
  info.physical_sizes = {{'X', {3.0, "furlong"}}, {'Y', {0.5, "nm"}}};
  const tiff::OmeImage image = parsed_image(info);
  EXPECT_EQ(image.physical_sizes.count('X'), 0u);
  EXPECT_EQ(image.physical_sizes.at('Y'), (PhysicalSize{0.5, "nm"}));
}

// ---- packing in place ---------------------------------------------------------------------

// Blocks that grow and shrink: every raw block must still be intact when it is encoded, and
// the packed stream must be the encoded blocks back to back.
TEST(OmeTiffPacking, StreamIsTheBlocksInOrderEvenWhenSomeGrow) {
  constexpr std::size_t kBlock = 16, kBlocks = 12;
  std::vector<std::byte> memory(kBlock * kBlocks);
  for (std::size_t i = 0; i < memory.size(); ++i) memory[i] = static_cast<std::byte>(i * 7 + 3);
  const std::vector<std::byte> original = memory;
  // Some larger than kBlock; 5 bytes more than the memory in all.
  const std::vector<std::size_t> encoded_sizes{20, 19, 3, 18, 16, 30, 1, 1, 25, 2, 17, 45};

  InPlacePacker packer(memory);
  std::vector<std::byte> expected;
  for (std::size_t b = 0; b < kBlocks; ++b) {
    const std::span<const std::byte> raw(memory.data() + b * kBlock, kBlock);
    ASSERT_TRUE(std::equal(raw.begin(), raw.end(), original.begin() + static_cast<std::ptrdiff_t>(b * kBlock)))
        << "raw block " << b << " was overwritten before it was encoded";
    // "Encoding": the raw bytes repeated to the encoded size.
    std::vector<std::byte> block(encoded_sizes[b]);
    for (std::size_t i = 0; i < block.size(); ++i) block[i] = raw[i % kBlock] ^ static_cast<std::byte>(b);
    expected.insert(expected.end(), block.begin(), block.end());
    packer.append(block, (b + 1) * kBlock);
  }
  std::vector<std::byte> stream(packer.in_place().begin(), packer.in_place().end());
  stream.insert(stream.end(), packer.spill().begin(), packer.spill().end());
  EXPECT_EQ(packer.size(), expected.size());
  EXPECT_EQ(stream, expected);
  EXPECT_EQ(packer.in_place().size(), memory.size());  // the spill holds only what the memory cannot
}

TEST(OmeTiffPacking, PredictorRoundTrips) {
  std::vector<std::uint16_t> rows{10, 20, 30, 1, 2, 3, 5, 5, 5, 0, 65535, 7};  // 2 rows of 2 RGB pixels
  const std::vector<std::uint16_t> original = rows;
  const std::span<std::byte> bytes(reinterpret_cast<std::byte*>(rows.data()), rows.size() * 2);
  codecs::apply_horizontal_predictor(bytes, 12, 2, 3);
  EXPECT_EQ(rows, (std::vector<std::uint16_t>{10, 20, 30, 65527, 65518, 65509, 5, 5, 5, 65531, 65530, 2}));
  codecs::undo_horizontal_predictor(bytes, 12, 2, 3);
  EXPECT_EQ(rows, original);
}

// ---- whole files --------------------------------------------------------------------------

class OmeTiffFile : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("strata_ome_tiff_output_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The file one rank holding every plane writes: header, IFDs, then the packed strips.
  fs::path write(const ArrayInfo& info, std::vector<std::byte> data, const std::string& codec) {
    const PlaneFormat f = plane_format(info, codec);
    const std::string xml = ome_xml(info, f, kUuid);
    const FileLayout layout(f, xml.size());
    InPlacePacker packer(data);
    const std::vector<std::uint64_t> sizes = f.compression == 1
                                                 ? raw_strip_sizes(f, static_cast<std::int64_t>(f.planes))
                                                 : encode_strips(data, f, packer, 3);
    const auto header = bigtiff_header(layout.ifd_offset(0));
    std::vector<std::byte> file(header.begin(), header.end());
    std::uint64_t at = layout.data_offset();
    for (std::uint64_t p = 0; p < f.planes; ++p) {
      EXPECT_EQ(file.size(), layout.ifd_offset(p));
      const auto strip_sizes = std::span(sizes).subspan(p * f.strips_per_plane(), f.strips_per_plane());
      std::vector<std::uint64_t> offsets;
      for (std::uint64_t size : strip_sizes) {
        offsets.push_back(at);
        at += size;
      }
      append_ifd(file, layout, p, 0, offsets, strip_sizes, xml);
    }
    EXPECT_EQ(file.size(), layout.data_offset());
    if (f.compression == 1) {
      file.insert(file.end(), data.begin(), data.end());
    } else {
      file.insert(file.end(), packer.in_place().begin(), packer.in_place().end());
      file.insert(file.end(), packer.spill().begin(), packer.spill().end());
    }
    const fs::path path = dir_ / ("out-" + codec + ".ome.tif");
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(file.data()), static_cast<std::streamsize>(file.size()));
    return path;
  }

  fs::path dir_;
};

std::vector<std::byte> values(std::size_t bytes) {
  std::vector<std::byte> data(bytes);
  for (std::size_t i = 0; i < bytes; ++i) data[i] = static_cast<std::byte>((i / 3) % 251 + (i % 7) * 11);
  return data;
}

void collect_message(std::vector<std::string>* into, const char* module, const char* format, va_list args) {
  char text[512];
  std::vsnprintf(text, sizeof text, format, args);
  into->push_back(std::string(module ? module : "") + ": " + text);
}

int on_message(TIFF*, void* user, const char* module, const char* format, va_list args) {
  collect_message(static_cast<std::vector<std::string>*>(user), module, format, args);
  return 1;
}

// Every plane libtiff decodes, back to back, and libtiff's warnings and errors.
std::vector<std::byte> libtiff_planes(const fs::path& path, std::vector<std::string>& messages) {
  TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
  TIFFOpenOptionsSetErrorHandlerExtR(options, on_message, &messages);
  TIFFOpenOptionsSetWarningHandlerExtR(options, on_message, &messages);
  TIFF* tif = TIFFOpenExt(path.c_str(), "r", options);
  TIFFOpenOptionsFree(options);
  std::vector<std::byte> planes;
  if (!tif) return planes;
  do {
    for (tstrip_t s = 0; s < TIFFNumberOfStrips(tif); ++s) {
      std::vector<std::byte> strip(static_cast<std::size_t>(TIFFStripSize(tif)));
      const tmsize_t n = TIFFReadEncodedStrip(tif, s, strip.data(), static_cast<tmsize_t>(strip.size()));
      if (n < 0) break;
      planes.insert(planes.end(), strip.begin(), strip.begin() + n);
    }
  } while (TIFFReadDirectory(tif));
  TIFFClose(tif);
  return planes;
}

std::vector<std::byte> strata_array(const fs::path& path, ArrayInfo& info) {
  const std::unique_ptr<Driver> driver = tiff_format().open(path.string(), {});
  info = driver->info();
  std::vector<std::byte> out(info.decoded_bytes());
  const View whole = View::contiguous(out.data(), info.dtype, info.shape);
  for (const ChunkRef& chunk : driver->chunks().chunks) driver->read_chunk(chunk, chunk.box, whole.sub(chunk.box));
  return out;
}

// `data` (planes in C order of info.dims) with its planes in strata's T,C,Z order: only
// ZCYX, of the dims used here, differs (C and Z swap).
std::vector<std::byte> strata_order(const ArrayInfo& info, const std::vector<std::byte>& data) {
  if (info.dims != "ZCYX") return data;
  const std::size_t z_size = static_cast<std::size_t>(info.shape[0]), c_size = static_cast<std::size_t>(info.shape[1]);
  const std::size_t plane = data.size() / (z_size * c_size);
  std::vector<std::byte> out(data.size());
  for (std::size_t z = 0; z < z_size; ++z)
    for (std::size_t c = 0; c < c_size; ++c)
      std::memcpy(out.data() + (c * z_size + z) * plane, data.data() + (z * c_size + c) * plane, plane);
  return out;
}

TEST_P(OmeTiffFile, LibtiffAndStrataReadItBack) {
  struct Case {
    ArrayInfo info;
    Shape strata_shape;  // strata presents T,C,Z,Y,X[,S]
  };
  ArrayInfo named = array_info("CZYX", {2, 3, 700, 400}, DType::uint16);  // several strips per plane
  named.channel_names = {"a & b", "<c>"};
  named.physical_sizes = {{'X', {0.25, "\u00b5m"}}, {'Y', {0.25, "\u00b5m"}}, {'Z', {1.5, "nm"}}};
  const std::vector<Case> cases{
      {named, {1, 2, 3, 700, 400}},
      {array_info("ZCYX", {3, 2, 11, 13}, DType::int16), {1, 2, 3, 11, 13}},
      {array_info("TYXS", {2, 9, 10, 3}, DType::uint8), {2, 1, 1, 9, 10, 3}},
      {array_info("YX", {5, 7}, DType::float32), {1, 1, 1, 5, 7}},
      {array_info("ZYX", {2, 4, 3}, DType::float64), {1, 1, 2, 4, 3}},
      {array_info("ZYX", {2, 4, 3}, DType::int32), {1, 1, 2, 4, 3}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.info.dims + " " + std::string(name(c.info.dtype)));
    const std::vector<std::byte> data = values(c.info.decoded_bytes());
    const fs::path path = write(c.info, data, GetParam());

    std::vector<std::string> messages;
    const std::vector<std::byte> decoded = libtiff_planes(path, messages);
    EXPECT_TRUE(messages.empty()) << messages.front();
    EXPECT_TRUE(decoded == data) << "libtiff decodes other pixels";  // IFD n is plane n in C order

    ArrayInfo read;
    const std::vector<std::byte> array = strata_array(path, read);
    EXPECT_EQ(read.format, "ome-tiff");
    EXPECT_EQ(read.shape, c.strata_shape);
    EXPECT_EQ(read.dtype, c.info.dtype);
    EXPECT_EQ(read.channel_names, c.info.channel_names);
    EXPECT_EQ(read.physical_sizes, c.info.physical_sizes);
    EXPECT_TRUE(array == strata_order(c.info, data)) << "strata reads other pixels";
  }
}

TEST(OmeTiffXml, PlanesSayWhereACutOutLies) {
  ArrayInfo info = array_info("TZYX", {2, 3, 5, 6}, DType::uint8);
  info.physical_sizes = {{'X', {0.25, "um"}}, {'Y', {0.5, ""}}, {'Z', {2, "nm"}}};
  const std::string xml = ome_xml(info, plane_format(info, "none"), kUuid, {4, 10, 20, 30});
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  std::vector<std::string> planes;
  for (const auto& node : doc.select_nodes("//Plane")) {
    const pugi::xml_node plane = node.node();
    planes.push_back(std::string(plane.attribute("TheT").value()) + plane.attribute("TheZ").value() + " " +
                     plane.attribute("PositionX").value() + plane.attribute("PositionXUnit").value() + " " +
                     plane.attribute("PositionY").value() + plane.attribute("PositionYUnit").value() + " " +
                     plane.attribute("PositionZ").value() + plane.attribute("PositionZUnit").value());
  }
  EXPECT_EQ(planes, (std::vector<std::string>{"00 7.5\u00b5m 10\u00b5m 20nm", "01 7.5\u00b5m 10\u00b5m 22nm",
                                              "02 7.5\u00b5m 10\u00b5m 24nm", "10 7.5\u00b5m 10\u00b5m 20nm",
                                              "11 7.5\u00b5m 10\u00b5m 22nm", "12 7.5\u00b5m 10\u00b5m 24nm"}));
  EXPECT_EQ(tiff::parse_ome_xml(xml).images.at(0).size_z, 3);  // strata's own parser still reads it
  // Without a physical size there is no position to give.
  EXPECT_EQ(ome_xml(array_info("ZYX", {2, 3, 4}, DType::uint8), plane_format(array_info("ZYX", {2, 3, 4}, DType::uint8), "none"),
                    kUuid, {1, 1, 1})
                .find("<Plane"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Codecs, OmeTiffFile,
                         ::testing::ValuesIn(std::vector<std::string>(kCodecs.begin(), kCodecs.end())),
                         [](const auto& codec) { return codec.param; });

}  // namespace
}  // namespace strata::ome_tiff
