#include "formats/tiff/ome_xml.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "strata/error.hpp"

namespace strata::tiff {
namespace {

constexpr const char* kNamespace = "http://www.openmicroscopy.org/Schemas/OME/2016-06";

// One <OME> document holding one image; `pixels_attributes` and `pixels_body` are pasted in.
std::string ome_document(const std::string& pixels_attributes, const std::string& pixels_body,
                         const std::string& ome_attributes = "") {
  return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><OME xmlns=\"") + kNamespace +
         "\" " + ome_attributes + "><Image ID=\"Image:0\"><Pixels ID=\"Pixels:0\" " +
         pixels_attributes + ">" + pixels_body + "</Pixels></Image></OME>";
}

// Sizes used by the DimensionOrder tests: all different, so a swapped axis shows.
constexpr std::int64_t kZ = 2, kC = 3, kT = 4;

std::string sized_pixels(const std::string& order) {
  return "DimensionOrder=\"" + order + "\" Type=\"uint16\" SizeX=\"7\" SizeY=\"5\" SizeZ=\"" +
         std::to_string(kZ) + "\" SizeC=\"" + std::to_string(kC) + "\" SizeT=\"" +
         std::to_string(kT) + "\"";
}

std::size_t plane_at(std::int64_t t, std::int64_t c, std::int64_t z) {
  return static_cast<std::size_t>((t * kC + c) * kZ + z);
}

// Position of plane (z, c, t) in each DimensionOrder's sequence, written out by hand from
// the OME schema ("XYZCT": Z varies fastest, then C, then T).
struct OrderCase {
  std::string order;
  std::function<std::int64_t(std::int64_t z, std::int64_t c, std::int64_t t)> position;
};

std::vector<OrderCase> all_orders() {
  return {
      {"XYZCT", [](auto z, auto c, auto t) { return z + kZ * (c + kC * t); }},
      {"XYZTC", [](auto z, auto c, auto t) { return z + kZ * (t + kT * c); }},
      {"XYCTZ", [](auto z, auto c, auto t) { return c + kC * (t + kT * z); }},
      {"XYCZT", [](auto z, auto c, auto t) { return c + kC * (z + kZ * t); }},
      {"XYTCZ", [](auto z, auto c, auto t) { return t + kT * (c + kC * z); }},
      {"XYTZC", [](auto z, auto c, auto t) { return t + kT * (z + kZ * c); }},
  };
}

std::string error_message(const std::string& xml) {
  try {
    parse_ome_xml(xml);
  } catch (const Error& error) {
    return error.what();
  }
  return "(no error)";
}

void expect_error(const std::string& xml, const std::string& part) {
  std::string message = error_message(xml);
  EXPECT_EQ(message.rfind("OME-XML: ", 0), 0u) << message;
  EXPECT_NE(message.find(part), std::string::npos) << "message: " << message;
}

TEST(OmeXml, EveryDimensionOrderWithoutTiffDataMapsPlaneNToIfdN) {
  for (const OrderCase& test : all_orders()) {
    SCOPED_TRACE(test.order);
    OmeDocument document = parse_ome_xml(ome_document(sized_pixels(test.order), ""));
    ASSERT_EQ(document.images.size(), 1u);
    const OmeImage& image = document.images[0];
    EXPECT_EQ(image.dimension_order, test.order);
    ASSERT_EQ(image.planes.size(), static_cast<std::size_t>(kZ * kC * kT));
    for (std::int64_t t = 0; t < kT; ++t)
      for (std::int64_t c = 0; c < kC; ++c)
        for (std::int64_t z = 0; z < kZ; ++z) {
          const auto expected = static_cast<std::uint32_t>(test.position(z, c, t));
          EXPECT_EQ(image.planes[plane_at(t, c, z)], (OmePlane{0, expected}))
              << "t=" << t << " c=" << c << " z=" << z;
        }
  }
}

TEST(OmeXml, PlaneIndexInOrderFollowsEveryDimensionOrder) {
  for (const OrderCase& test : all_orders()) {
    SCOPED_TRACE(test.order);
    OmeImage image = parse_ome_xml(ome_document(sized_pixels(test.order), "")).images[0];
    for (std::int64_t t = 0; t < kT; ++t)
      for (std::int64_t c = 0; c < kC; ++c)
        for (std::int64_t z = 0; z < kZ; ++z)
          EXPECT_EQ(plane_index_in_order(image, static_cast<std::size_t>(test.position(z, c, t))),
                    plane_at(t, c, z));
    EXPECT_THROW(plane_index_in_order(image, static_cast<std::size_t>(kZ * kC * kT)), Error);
  }
}

TEST(OmeXml, EveryDimensionOrderWithOneTiffDataPerPlane) {
  // Each plane gets its own TiffData, written in (t, c, z) loop order and pointing at
  // IFD 100 + 7 * canonical index, so neither the document order nor the IFD numbers
  // follow the DimensionOrder.
  for (const OrderCase& test : all_orders()) {
    SCOPED_TRACE(test.order);
    std::string body;
    for (std::int64_t t = 0; t < kT; ++t)
      for (std::int64_t c = 0; c < kC; ++c)
        for (std::int64_t z = 0; z < kZ; ++z)
          body += "<TiffData FirstZ=\"" + std::to_string(z) + "\" FirstC=\"" + std::to_string(c) +
                  "\" FirstT=\"" + std::to_string(t) + "\" IFD=\"" +
                  std::to_string(100 + 7 * plane_at(t, c, z)) + "\" PlaneCount=\"1\"/>";
    OmeImage image = parse_ome_xml(ome_document(sized_pixels(test.order), body)).images[0];
    for (std::size_t i = 0; i < image.planes.size(); ++i)
      EXPECT_EQ(image.planes[i], (OmePlane{0, static_cast<std::uint32_t>(100 + 7 * i)})) << i;
  }
}

TEST(OmeXml, EveryDimensionOrderWithARunStartingMidway) {
  // A run of 5 IFDs from 40 starting at plane (z=0, c=1, t=1) covers the next 5 positions
  // of the DimensionOrder sequence; every other plane stays unmapped.
  for (const OrderCase& test : all_orders()) {
    SCOPED_TRACE(test.order);
    const std::string body =
        "<TiffData FirstZ=\"0\" FirstC=\"1\" FirstT=\"1\" IFD=\"40\" PlaneCount=\"5\"/>";
    OmeImage image = parse_ome_xml(ome_document(sized_pixels(test.order), body)).images[0];
    const std::int64_t start = test.position(0, 1, 1);
    for (std::int64_t t = 0; t < kT; ++t)
      for (std::int64_t c = 0; c < kC; ++c)
        for (std::int64_t z = 0; z < kZ; ++z) {
          const std::int64_t offset = test.position(z, c, t) - start;
          const OmePlane expected = offset >= 0 && offset < 5
                                        ? OmePlane{0, static_cast<std::uint32_t>(40 + offset)}
                                        : OmePlane{};
          EXPECT_EQ(image.planes[plane_at(t, c, z)], expected)
              << "t=" << t << " c=" << c << " z=" << z;
        }
  }
}

TEST(OmeXml, TiffDataDefaults) {
  const std::string pixels = sized_pixels("XYZCT");  // 24 planes, Z fastest
  {
    SCOPED_TRACE("no attributes: every plane from IFD 0");
    OmeImage image = parse_ome_xml(ome_document(pixels, "<TiffData/>")).images[0];
    for (std::size_t n = 0; n < 24; ++n)
      EXPECT_EQ(image.planes[plane_index_in_order(image, n)],
                (OmePlane{0, static_cast<std::uint32_t>(n)}));
  }
  {
    SCOPED_TRACE("only First*: every plane from there on");
    OmeImage image = parse_ome_xml(ome_document(pixels, "<TiffData FirstT=\"3\"/>")).images[0];
    for (std::size_t n = 0; n < 24; ++n)
      EXPECT_EQ(image.planes[plane_index_in_order(image, n)],
                (n < 18 ? OmePlane{} : OmePlane{0, static_cast<std::uint32_t>(n - 18)}));
  }
  {
    SCOPED_TRACE("only IFD: one plane");
    OmeImage image = parse_ome_xml(ome_document(pixels, "<TiffData IFD=\"9\" FirstZ=\"1\"/>"))
                         .images[0];
    for (std::size_t i = 0; i < image.planes.size(); ++i)
      EXPECT_EQ(image.planes[i], (i == plane_at(0, 0, 1) ? OmePlane{0, 9} : OmePlane{})) << i;
  }
  {
    SCOPED_TRACE("only PlaneCount: from IFD 0");
    OmeImage image = parse_ome_xml(ome_document(pixels, "<TiffData PlaneCount=\"3\"/>")).images[0];
    EXPECT_EQ(image.planes[plane_at(0, 0, 0)], (OmePlane{0, 0}));
    EXPECT_EQ(image.planes[plane_at(0, 0, 1)], (OmePlane{0, 1}));
    EXPECT_EQ(image.planes[plane_at(0, 1, 0)], (OmePlane{0, 2}));
    EXPECT_EQ(image.planes[plane_at(0, 1, 1)], OmePlane{});
  }
  {
    SCOPED_TRACE("legacy NumPlanes");
    OmeImage image =
        parse_ome_xml(ome_document(pixels, "<TiffData IFD=\"4\" NumPlanes=\"2\"/>")).images[0];
    EXPECT_EQ(image.planes[plane_at(0, 0, 0)], (OmePlane{0, 4}));
    EXPECT_EQ(image.planes[plane_at(0, 0, 1)], (OmePlane{0, 5}));
    EXPECT_EQ(image.planes[plane_at(0, 1, 0)], OmePlane{});
  }
  {
    SCOPED_TRACE("PlaneCount=0 maps nothing");
    OmeImage image =
        parse_ome_xml(ome_document(pixels, "<TiffData IFD=\"4\" PlaneCount=\"0\"/>")).images[0];
    for (const OmePlane& plane : image.planes) EXPECT_EQ(plane, OmePlane{});
  }
  {
    SCOPED_TRACE("a later TiffData overrides an earlier one");
    OmeImage image = parse_ome_xml(ome_document(
                         pixels, "<TiffData/><TiffData FirstC=\"1\" IFD=\"90\" PlaneCount=\"1\"/>"))
                         .images[0];
    EXPECT_EQ(image.planes[plane_at(0, 1, 0)], (OmePlane{0, 90}));
    EXPECT_EQ(image.planes[plane_at(0, 1, 1)], (OmePlane{0, 3}));
  }
}

TEST(OmeXml, MultiFileTiffDataGetOneFileEachDeduplicated) {
  // The layout of the OME sample "multifile.companion.ome": XYCTZ, one plane per file,
  // UUID text on its own line.
  const std::string body =
      "<Channel ID=\"Channel:0\"/>"
      "<TiffData FirstZ=\"0\" IFD=\"0\" PlaneCount=\"1\"><UUID FileName=\"multifile-Z1.ome.tiff\"\n"
      "\t>urn:uuid:4978087c-a670-4b12-af53-256c62d8d101</UUID></TiffData>"
      "<TiffData FirstZ=\"1\" IFD=\"0\" PlaneCount=\"1\"><UUID FileName=\"multifile-Z2.ome.tiff\""
      ">urn:uuid:f2307570-bede-47a7-aa2b-4e23231ac295</UUID></TiffData>"
      // Same file again, its second IFD.
      "<TiffData FirstZ=\"2\" IFD=\"1\" PlaneCount=\"1\"><UUID FileName=\"multifile-Z1.ome.tiff\""
      ">urn:uuid:4978087c-a670-4b12-af53-256c62d8d101</UUID></TiffData>"
      // No UUID: the file this XML sits in.
      "<TiffData FirstZ=\"3\" IFD=\"6\"/>";
  OmeDocument document = parse_ome_xml(ome_document(
      "DimensionOrder=\"XYCTZ\" Type=\"uint8\" SizeC=\"1\" SizeT=\"1\" SizeX=\"18\" SizeY=\"24\" "
      "SizeZ=\"5\"",
      body));
  EXPECT_EQ(document.uuid, "");
  const OmeImage& image = document.images.at(0);
  ASSERT_EQ(image.files.size(), 3u);
  EXPECT_EQ(image.files[0], OmeFileRef{});
  EXPECT_EQ(image.files[1],
            (OmeFileRef{"urn:uuid:4978087c-a670-4b12-af53-256c62d8d101", "multifile-Z1.ome.tiff"}));
  EXPECT_EQ(image.files[2],
            (OmeFileRef{"urn:uuid:f2307570-bede-47a7-aa2b-4e23231ac295", "multifile-Z2.ome.tiff"}));
  EXPECT_EQ(image.planes, (std::vector<OmePlane>{{1, 0}, {2, 0}, {1, 1}, {0, 6}, {}}));
}

TEST(OmeXml, SameUuidWithAnotherFileNameIsAnotherFile) {
  const std::string body =
      "<TiffData IFD=\"0\"><UUID FileName=\"a.ome.tif\">urn:uuid:1</UUID></TiffData>"
      "<TiffData IFD=\"0\" FirstZ=\"1\"><UUID FileName=\"b.ome.tif\">urn:uuid:1</UUID></TiffData>"
      "<TiffData IFD=\"0\" FirstZ=\"2\"><UUID>urn:uuid:1</UUID></TiffData>";
  OmeImage image = parse_ome_xml(ome_document("DimensionOrder=\"XYZCT\" Type=\"uint8\" "
                                              "SizeX=\"2\" SizeY=\"2\" SizeZ=\"3\" "
                                              "SizeC=\"1\" SizeT=\"1\"",
                                              body))
                       .images[0];
  ASSERT_EQ(image.files.size(), 4u);
  EXPECT_EQ(image.files[3], (OmeFileRef{"urn:uuid:1", ""}));
  EXPECT_EQ(image.planes[0], (OmePlane{1, 0}));
  EXPECT_EQ(image.planes[1], (OmePlane{2, 0}));
  EXPECT_EQ(image.planes[2], (OmePlane{3, 0}));
}

TEST(OmeXml, UuidOfThisDocumentMeansThisFileEvenWhenRenamed) {
  // As in the OME sample multi-channel-z-series.ome.tif: every TiffData names the file by
  // its own UUID; the FileName is the name before the file was renamed.
  const std::string own = "urn:uuid:bc26e771-02ad-4473-9f75-ae454861b991";
  std::string body;
  for (int c = 0; c < 3; ++c)
    for (int z = 0; z < 5; ++z)
      body += "<TiffData FirstC=\"" + std::to_string(c) + "\" FirstT=\"0\" FirstZ=\"" +
              std::to_string(z) + "\" IFD=\"" + std::to_string(c * 5 + z) +
              "\" PlaneCount=\"1\"><UUID FileName=\"multi-channel-z-series.ome.tif\">" + own +
              "</UUID></TiffData>";
  OmeDocument document = parse_ome_xml(ome_document(
      "BigEndian=\"true\" DimensionOrder=\"XYZCT\" SizeC=\"3\" SizeT=\"1\" SizeX=\"439\" "
      "SizeY=\"167\" SizeZ=\"5\" Type=\"int8\"",
      "<Channel ID=\"Channel:0:0\" SamplesPerPixel=\"1\"><LightPath/></Channel>"
      "<Channel ID=\"Channel:0:1\" SamplesPerPixel=\"1\"><LightPath/></Channel>"
      "<Channel ID=\"Channel:0:2\" SamplesPerPixel=\"1\"><LightPath/></Channel>" + body,
      "UUID=\"" + own + "\""));
  EXPECT_EQ(document.uuid, own);
  const OmeImage& image = document.images.at(0);
  EXPECT_EQ(image.files, (std::vector<OmeFileRef>{{}}));
  EXPECT_EQ(image.dtype, DType::int8);
  ASSERT_EQ(image.planes.size(), 15u);
  for (std::size_t i = 0; i < 15; ++i)
    EXPECT_EQ(image.planes[i], (OmePlane{0, static_cast<std::uint32_t>(i)}));
}

TEST(OmeXml, BinaryOnlyStubHasNoImages) {
  // The XML in each multifile-Z*.ome.tiff of the OME sample data.
  OmeDocument document = parse_ome_xml(
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
      "<!-- Warning: this comment is an OME-XML metadata block -->\n"
      "<OME UUID=\"urn:uuid:4978087c-a670-4b12-af53-256c62d8d101\" "
      "xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\">\n"
      "   <BinaryOnly MetadataFile=\"multifile.companion.ome\" "
      "UUID=\"urn:uuid:07504f88-7bc3-11e0-b937-2faf67bc00b3\"/>\n</OME>\n");
  EXPECT_EQ(document.uuid, "urn:uuid:4978087c-a670-4b12-af53-256c62d8d101");
  EXPECT_EQ(document.binary_only_metadata, "multifile.companion.ome");
  EXPECT_TRUE(document.images.empty());
}

TEST(OmeXml, PrefixedElementsAndOtherSchemaYears) {
  OmeDocument document = parse_ome_xml(
      "<ome:OME xmlns:ome=\"http://www.openmicroscopy.org/Schemas/OME/2015-01\" "
      "UUID=\"urn:uuid:self\">"
      "<ome:Image ID=\"Image:0\"><ome:Pixels DimensionOrder=\"XYCZT\" Type=\"float\" SizeX=\"4\" "
      "SizeY=\"3\" SizeZ=\"2\" SizeC=\"2\" SizeT=\"1\">"
      "<ome:Channel Name=\"DAPI\"/><ome:Channel Name=\"GFP\"/>"
      "<ome:TiffData IFD=\"2\" PlaneCount=\"2\"><ome:UUID FileName=\"other.ome.tif\">"
      "urn:uuid:other</ome:UUID></ome:TiffData>"
      "</ome:Pixels></ome:Image>"
      "<ome:BinaryOnly MetadataFile=\"x.companion.ome\"/></ome:OME>");
  EXPECT_EQ(document.uuid, "urn:uuid:self");
  EXPECT_EQ(document.binary_only_metadata, "x.companion.ome");
  const OmeImage& image = document.images.at(0);
  EXPECT_EQ(image.dtype, DType::float32);
  EXPECT_EQ(image.channel_names, (std::vector<std::string>{"DAPI", "GFP"}));
  EXPECT_EQ(image.files.size(), 2u);
  // XYCZT: c fastest, so the run covers (z=0, c=0) and (z=0, c=1).
  EXPECT_EQ(image.planes, (std::vector<OmePlane>{{1, 2}, {}, {1, 3}, {}}));
}

TEST(OmeXml, TypesMapToDTypes) {
  const std::vector<std::pair<std::string, std::optional<DType>>> cases = {
      {"int8", DType::int8},       {"int16", DType::int16},    {"int32", DType::int32},
      {"uint8", DType::uint8},     {"uint16", DType::uint16},  {"uint32", DType::uint32},
      {"float", DType::float32},   {"double", DType::float64}, {"Uint16", DType::uint16},
      {"bit", std::nullopt},       {"complex", std::nullopt},  {"double-complex", std::nullopt},
      {"float16", std::nullopt},   {"", std::nullopt},
  };
  for (const auto& [type, dtype] : cases) {
    SCOPED_TRACE(type);
    OmeImage image = parse_ome_xml(ome_document("DimensionOrder=\"XYZCT\" Type=\"" + type +
                                                     "\" SizeX=\"1\" SizeY=\"1\" SizeZ=\"1\" "
                                                     "SizeC=\"1\" SizeT=\"1\"",
                                                 ""))
                         .images[0];
    EXPECT_EQ(image.dtype, dtype);
    EXPECT_EQ(image.type_name, type);
  }
  OmeImage old_schema = parse_ome_xml(ome_document("DimensionOrder=\"XYZCT\" PixelType=\"Uint8\" "
                                                   "SizeX=\"1\" SizeY=\"1\" SizeZ=\"1\" "
                                                   "SizeC=\"1\" SizeT=\"1\"",
                                                   ""))
                            .images[0];
  EXPECT_EQ(old_schema.dtype, DType::uint8);
}

TEST(OmeXml, PhysicalSizesWithUnitsAndDefaults) {
  OmeImage image =
      parse_ome_xml(ome_document(sized_pixels("XYZCT") +
                                     " PhysicalSizeX=\"0.325\" PhysicalSizeY=\" 0.5 \" "
                                     "PhysicalSizeYUnit=\"nm\" PhysicalSizeZ=\"2\" "
                                     "TimeIncrement=\"1.5\" TimeIncrementUnit=\"ms\"",
                                 ""))
          .images[0];
  EXPECT_EQ(image.physical_sizes.at('X'), (PhysicalSize{0.325, "\u00b5m"}));
  EXPECT_EQ(image.physical_sizes.at('Y'), (PhysicalSize{0.5, "nm"}));
  EXPECT_EQ(image.physical_sizes.at('Z'), (PhysicalSize{2.0, "\u00b5m"}));
  EXPECT_EQ(image.physical_sizes.at('T'), (PhysicalSize{1.5, "ms"}));

  OmeImage seconds =
      parse_ome_xml(ome_document(sized_pixels("XYZCT") + " TimeIncrement=\"60\"", "")).images[0];
  EXPECT_EQ(seconds.physical_sizes.at('T'), (PhysicalSize{60.0, "s"}));

  OmeImage unusable = parse_ome_xml(ome_document(sized_pixels("XYZCT") +
                                                     " PhysicalSizeX=\"0\" PhysicalSizeY=\"-1\" "
                                                     "PhysicalSizeZ=\"wide\" TimeIncrement=\"inf\"",
                                                 ""))
                          .images[0];
  EXPECT_TRUE(unusable.physical_sizes.empty());
}

TEST(OmeXml, SamplesPerPixelTurnsSizeCIntoPlanes) {
  const std::string sizes = "DimensionOrder=\"XYCZT\" Type=\"uint8\" SizeX=\"8\" SizeY=\"6\" "
                            "SizeZ=\"2\" SizeT=\"1\" ";
  {
    SCOPED_TRACE("RGB: SizeC=3, one Channel of 3 samples");
    OmeImage image = parse_ome_xml(ome_document(sizes + "SizeC=\"3\"",
                                                "<Channel Name=\"rgb\" SamplesPerPixel=\"3\"/>"))
                         .images[0];
    EXPECT_EQ(image.samples_per_pixel, 3);
    EXPECT_EQ(image.size_c, 1);
    EXPECT_EQ(image.channel_names, (std::vector<std::string>{"rgb"}));
    EXPECT_EQ(image.planes, (std::vector<OmePlane>{{0, 0}, {0, 1}}));
  }
  {
    SCOPED_TRACE("two RGB channels: SizeC=6");
    OmeImage image = parse_ome_xml(ome_document(sizes + "SizeC=\"6\"",
                                                "<Channel SamplesPerPixel=\"3\"/>"
                                                "<Channel Name=\"b\" SamplesPerPixel=\"3\"/>"))
                         .images[0];
    EXPECT_EQ(image.size_c, 2);
    EXPECT_EQ(image.channel_names, (std::vector<std::string>{"", "b"}));
    // XYCZT: c fastest over the 2 C planes.
    EXPECT_EQ(image.planes, (std::vector<OmePlane>{{0, 0}, {0, 2}, {0, 1}, {0, 3}}));
  }
  {
    SCOPED_TRACE("SizeC=1 written for an RGB image is kept as one plane");
    OmeImage image =
        parse_ome_xml(ome_document(sizes + "SizeC=\"1\"", "<Channel SamplesPerPixel=\"3\"/>"))
            .images[0];
    EXPECT_EQ(image.samples_per_pixel, 3);
    EXPECT_EQ(image.size_c, 1);
  }
  {
    SCOPED_TRACE("fewer Channel elements than channels: unnamed ones are empty");
    OmeImage image =
        parse_ome_xml(ome_document(sizes + "SizeC=\"3\"", "<Channel Name=\"a\"/>")).images[0];
    EXPECT_EQ(image.samples_per_pixel, 1);
    EXPECT_EQ(image.channel_names, (std::vector<std::string>{"a", "", ""}));
  }
  expect_error(ome_document(sizes + "SizeC=\"4\"",
                            "<Channel SamplesPerPixel=\"3\"/><Channel SamplesPerPixel=\"1\"/>"),
               "SamplesPerPixel");
  expect_error(ome_document(sizes + "SizeC=\"3\"", "<Channel SamplesPerPixel=\"0\"/>"),
               "SamplesPerPixel");
}

TEST(OmeXml, EveryImageIsASeries) {
  OmeDocument document = parse_ome_xml(
      std::string("<OME xmlns=\"") + kNamespace + "\">" +
      "<Image ID=\"Image:0\"><Pixels DimensionOrder=\"XYZCT\" Type=\"uint8\" SizeX=\"4\" "
      "SizeY=\"4\" SizeZ=\"2\" SizeC=\"1\" SizeT=\"1\"><TiffData IFD=\"0\" PlaneCount=\"2\"/>"
      "</Pixels></Image>"
      "<Instrument ID=\"Instrument:0\"/>"
      "<Image ID=\"Image:1\"><Pixels DimensionOrder=\"XYZCT\" Type=\"uint16\" SizeX=\"2\" "
      "SizeY=\"2\" SizeZ=\"1\" SizeC=\"1\" SizeT=\"3\"><TiffData IFD=\"2\" PlaneCount=\"3\"/>"
      "</Pixels></Image></OME>");
  ASSERT_EQ(document.images.size(), 2u);
  EXPECT_EQ(document.images[0].planes, (std::vector<OmePlane>{{0, 0}, {0, 1}}));
  EXPECT_EQ(document.images[1].dtype, DType::uint16);
  EXPECT_EQ(document.images[1].size_t, 3);
  EXPECT_EQ(document.images[1].planes, (std::vector<OmePlane>{{0, 2}, {0, 3}, {0, 4}}));
}

TEST(OmeXml, TifffileStyleDocument) {
  // As written by tifffile for the OME sample multi-channel.ome.tif re-encoded with deflate.
  OmeDocument document = parse_ome_xml(
      "<?xml version='1.0' encoding='utf-8'?>\n"
      "<OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" Creator=\"OME Bio-Formats 5.2.2\" "
      "UUID=\"urn:uuid:bebd2be7-8253-4b90-be93-4df567ffe1be\"><Image ID=\"Image:0\" "
      "Name=\"multi-channel.ome.tif\"><Pixels BigEndian=\"true\" DimensionOrder=\"XYZCT\" "
      "ID=\"Pixels:0\" SizeC=\"3\" SizeT=\"1\" SizeX=\"439\" SizeY=\"167\" SizeZ=\"1\" "
      "Type=\"int8\"><Channel ID=\"Channel:0:0\" SamplesPerPixel=\"1\"><LightPath /></Channel>"
      "<Channel ID=\"Channel:0:1\" SamplesPerPixel=\"1\"><LightPath /></Channel>"
      "<Channel ID=\"Channel:0:2\" SamplesPerPixel=\"1\"><LightPath /></Channel>"
      "<TiffData FirstC=\"0\" FirstT=\"0\" FirstZ=\"0\" IFD=\"0\" PlaneCount=\"1\" />"
      "<TiffData FirstC=\"1\" FirstT=\"0\" FirstZ=\"0\" IFD=\"1\" PlaneCount=\"1\" />"
      "<TiffData FirstC=\"2\" FirstT=\"0\" FirstZ=\"0\" IFD=\"2\" PlaneCount=\"1\" />"
      "</Pixels></Image></OME>");
  const OmeImage& image = document.images.at(0);
  EXPECT_EQ(image.size_x, 439);
  EXPECT_EQ(image.size_y, 167);
  EXPECT_EQ(image.size_c, 3);
  EXPECT_EQ(image.channel_names, (std::vector<std::string>{"", "", ""}));
  EXPECT_TRUE(image.physical_sizes.empty());
  EXPECT_EQ(image.planes, (std::vector<OmePlane>{{0, 0}, {0, 1}, {0, 2}}));
}

TEST(OmeXml, MalformedDocumentsAreErrors) {
  expect_error("<OME><Image></OME>", "malformed XML");
  expect_error("", "malformed XML");
  expect_error("ImageJ=1.53t\nimages=3\n", "malformed XML");
  expect_error("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "<svg>");
  expect_error(std::string("<OME xmlns=\"") + kNamespace + "\"><Image ID=\"Image:0\"/></OME>",
               "Image 0 has no Pixels");
}

TEST(OmeXml, BadPixelsAreErrors) {
  const std::string good = sized_pixels("XYZCT");
  auto with = [&](const std::string& from, const std::string& to) {
    std::string pixels = good;
    pixels.replace(pixels.find(from), from.size(), to);
    return ome_document(pixels, "");
  };
  expect_error(with("SizeZ=\"2\"", "SizeZ=\"0\""), "SizeZ=\"0\" is not a positive integer");
  expect_error(with("SizeX=\"7\"", "SizeX=\"-7\""), "SizeX");
  expect_error(with("SizeY=\"5\"", "SizeY=\"5px\""), "SizeY");
  expect_error(with("SizeC=\"3\"", ""), "Pixels lack SizeC");
  expect_error(with("SizeT=\"4\"", "SizeT=\"99999999999999999999\""), "SizeT");
  expect_error(with("SizeT=\"4\"", "SizeT=\"100000000\""), "too many planes");
  expect_error(with("XYZCT", "XYZZT"), "DimensionOrder \"XYZZT\"");
  expect_error(with("XYZCT", "ZCTXY"), "DimensionOrder");
  expect_error(with("XYZCT", "XYZC"), "DimensionOrder");
  expect_error(with("DimensionOrder=\"XYZCT\"", ""), "DimensionOrder \"\"");
  // The second image is checked as strictly as the first.
  expect_error(std::string("<OME xmlns=\"") + kNamespace + "\"><Image><Pixels " + good +
                   "/></Image><Image><Pixels " + good.substr(0, good.find(" SizeX")) +
                   "/></Image></OME>",
               "Image 1: Pixels lack SizeX");
}

TEST(OmeXml, BadTiffDataAreErrors) {
  const std::string pixels = sized_pixels("XYZCT");  // Z=2, C=3, T=4: 24 planes
  expect_error(ome_document(pixels, "<TiffData FirstZ=\"2\"/>"), "plane index out of range");
  expect_error(ome_document(pixels, "<TiffData/><TiffData FirstC=\"3\" IFD=\"0\"/>"),
               "Image 0, TiffData 1: plane index out of range");
  expect_error(ome_document(pixels, "<TiffData FirstT=\"4\"/>"), "plane index out of range");
  expect_error(ome_document(pixels, "<TiffData FirstT=\"3\" PlaneCount=\"7\"/>"),
               "TiffData 0: plane index out of range: maps 7 planes from plane 18 of 24");
  expect_error(ome_document(pixels, "<TiffData IFD=\"-1\"/>"), "IFD=\"-1\"");
  expect_error(ome_document(pixels, "<TiffData IFD=\"4294967295\" PlaneCount=\"2\"/>"),
               "out of range");
  expect_error(ome_document(pixels, "<TiffData PlaneCount=\"two\"/>"), "PlaneCount");
}

}  // namespace
}  // namespace strata::tiff
