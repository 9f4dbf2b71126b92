// OME-XML → OmeDocument.
//
// Rules taken from the OME schema (2016-06; older years use the same element names) and,
// where the schema leaves room, from what Bio-Formats' OMETiffReader and tifffile do:
// - Elements are matched by local name, so any schema year and any prefix (ome:Image) work.
// - Pixels/@Type (or @PixelType in pre-2008 schemas) maps to a DType; float → float32,
//   double → float64; bit, complex and double-complex have no DType (nullopt).
// - SizeC counts samples, not planes: an RGB image is SizeC=3 with one Channel whose
//   SamplesPerPixel=3, stored as one interleaved plane. OmeImage::size_c is therefore the
//   number of C *planes*, SizeC / SamplesPerPixel. Like Bio-Formats, when SizeC is not a
//   multiple of SamplesPerPixel (some writers put SizeC=1 for RGB) SizeC is taken as the
//   plane count unchanged; the driver checks SamplesPerPixel against the TIFF.
// - TiffData maps PlaneCount consecutive IFDs, starting at IFD, onto consecutive planes in
//   DimensionOrder sequence, starting at plane (FirstC, FirstZ, FirstT). Defaults: IFD 0,
//   First* 0; PlaneCount 1 when IFD is given, else every plane from the first one to the
//   last (schema: "the number of IFDs in the TIFF file, unless an IFD is specified, in
//   which case the default is 1"; tifffile reads it the same way). The legacy attribute
//   NumPlanes is read when PlaneCount is absent. TiffData elements apply in document
//   order; a later one overrides an earlier one's planes. IFDs past the end of a file are
//   the driver's to detect: this parser never sees the file.
// - Without any TiffData, plane n in DimensionOrder sequence is IFD n of this file.
// - A TiffData's <UUID> names another file, except when it is empty or equals OME/@UUID,
//   which is this file (a renamed OME-TIFF keeps its UUID but not its FileName).
// - PhysicalSize{X,Y,Z} default to µm and TimeIncrement to s when their unit is absent;
//   values that are not positive numbers are dropped, as Bio-Formats does.
#include "formats/tiff/ome_xml.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include <pugixml.hpp>

#include "strata/error.hpp"

namespace strata::tiff {
namespace {

// More planes than any TIFF can reasonably hold; bounds the planes vector (8 bytes each)
// against a hostile SizeZ/SizeC/SizeT.
constexpr std::int64_t kMaxPlanes = std::int64_t{1} << 24;

[[noreturn]] void fail(const std::string& cause) { throw Error("", "OME-XML: " + cause); }

std::string_view local_name(const pugi::xml_node& node) {
  std::string_view name = node.name();
  std::size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node first_child(const pugi::xml_node& parent, std::string_view name) {
  for (pugi::xml_node child : parent.children())
    if (child.type() == pugi::node_element && local_name(child) == name) return child;
  return {};
}

std::vector<pugi::xml_node> children(const pugi::xml_node& parent, std::string_view name) {
  std::vector<pugi::xml_node> found;
  for (pugi::xml_node child : parent.children())
    if (child.type() == pugi::node_element && local_name(child) == name) found.push_back(child);
  return found;
}

// XML Schema numbers may carry surrounding whitespace.
std::string_view trimmed(std::string_view text) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

template <class Number>
std::optional<Number> parse_number(std::string_view text) {
  text = trimmed(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  Number value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// An integer attribute that must be >= `minimum`; nullopt when the attribute is absent.
std::optional<std::int64_t> integer_attribute(const pugi::xml_node& node, const char* name,
                                              std::int64_t minimum, const std::string& where) {
  pugi::xml_attribute attribute = node.attribute(name);
  if (!attribute) return std::nullopt;
  std::optional<std::int64_t> value = parse_number<std::int64_t>(attribute.value());
  if (!value || *value < minimum)
    fail(where + ": " + name + "=\"" + attribute.value() + "\" is not " +
         (minimum > 0 ? "a positive integer" : "a non-negative integer"));
  return value;
}

std::int64_t required_size(const pugi::xml_node& pixels, const char* name,
                           const std::string& where) {
  std::optional<std::int64_t> size = integer_attribute(pixels, name, 1, where);
  if (!size) fail(where + ": Pixels lack " + name);
  return *size;
}

std::string dimension_order(const pugi::xml_node& pixels, const std::string& where) {
  std::string order = pixels.attribute("DimensionOrder").value();
  std::string sorted = order.size() == 5 ? order.substr(2) : "";
  std::sort(sorted.begin(), sorted.end());
  if (order.size() != 5 || !order.starts_with("XY") || sorted != "CTZ")
    fail(where + ": DimensionOrder \"" + order + "\" is not one of XYZCT, XYZTC, XYCTZ, XYCZT, "
         "XYTCZ, XYTZC");
  return order;
}

std::optional<DType> dtype_from_ome(std::string type) {
  // Pre-2008 schemas spell "Uint8"; compare case-insensitively.
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (type == "float") return DType::float32;
  if (type == "double") return DType::float64;
  for (DType candidate : {DType::int8, DType::int16, DType::int32, DType::uint8, DType::uint16,
                          DType::uint32})
    if (type == name(candidate)) return candidate;
  return std::nullopt;
}

void read_pixel_type(const pugi::xml_node& pixels, OmeImage& image) {
  pugi::xml_attribute type = pixels.attribute("Type");
  if (!type) type = pixels.attribute("PixelType");
  image.type_name = type.value();
  image.dtype = dtype_from_ome(image.type_name);
}

void read_physical_size(const pugi::xml_node& pixels, char axis, const char* value_name,
                        const char* unit_name, const char* default_unit, OmeImage& image) {
  pugi::xml_attribute value = pixels.attribute(value_name);
  if (!value) return;
  std::optional<double> size = parse_number<double>(value.value());
  if (!size || !std::isfinite(*size) || *size <= 0) return;
  pugi::xml_attribute unit = pixels.attribute(unit_name);
  image.physical_sizes[axis] = PhysicalSize{*size, unit ? unit.value() : default_unit};
}

void read_physical_sizes(const pugi::xml_node& pixels, OmeImage& image) {
  const char* micrometre = "\u00b5m";
  read_physical_size(pixels, 'X', "PhysicalSizeX", "PhysicalSizeXUnit", micrometre, image);
  read_physical_size(pixels, 'Y', "PhysicalSizeY", "PhysicalSizeYUnit", micrometre, image);
  read_physical_size(pixels, 'Z', "PhysicalSizeZ", "PhysicalSizeZUnit", micrometre, image);
  read_physical_size(pixels, 'T', "TimeIncrement", "TimeIncrementUnit", "s", image);
}

// Sets samples_per_pixel, turns SizeC (samples) into size_c (planes) and names channels.
void read_channels(const pugi::xml_node& pixels, const std::string& where, OmeImage& image) {
  std::vector<pugi::xml_node> channels = children(pixels, "Channel");
  for (std::size_t i = 0; i < channels.size(); ++i) {
    std::int64_t samples = integer_attribute(channels[i], "SamplesPerPixel", 1, where).value_or(1);
    if (i == 0) image.samples_per_pixel = samples;
    else if (samples != image.samples_per_pixel)
      fail(where + ": channels differ in SamplesPerPixel (" +
           std::to_string(image.samples_per_pixel) + " and " + std::to_string(samples) + ")");
  }
  if (image.size_c % image.samples_per_pixel == 0) image.size_c /= image.samples_per_pixel;
  image.channel_names.assign(static_cast<std::size_t>(image.size_c), "");
  for (std::size_t i = 0; i < channels.size() && i < image.channel_names.size(); ++i)
    image.channel_names[i] = channels[i].attribute("Name").value();
}

std::int64_t plane_count(const OmeImage& image) {
  return image.size_t * image.size_c * image.size_z;
}

std::int64_t axis_size(const OmeImage& image, char axis) {
  switch (axis) {
    case 'Z': return image.size_z;
    case 'C': return image.size_c;
    case 'T': return image.size_t;
  }
  fail("DimensionOrder \"" + image.dimension_order + "\" names no axis '" + axis + "'");
}

// The position of plane (z, c, t) in DimensionOrder sequence; the inverse of
// plane_index_in_order.
std::size_t position_in_order(const OmeImage& image, std::int64_t z, std::int64_t c,
                              std::int64_t t) {
  std::int64_t position = 0, stride = 1;
  for (char axis : std::string_view(image.dimension_order).substr(2)) {
    std::int64_t coordinate = axis == 'Z' ? z : axis == 'C' ? c : t;
    position += coordinate * stride;
    stride *= axis_size(image, axis);
  }
  return static_cast<std::size_t>(position);
}

// The files index of a TiffData's target, adding a new file reference when needed.
std::int32_t file_index(const pugi::xml_node& tiff_data, const std::string& document_uuid,
                        std::vector<OmeFileRef>& files) {
  pugi::xml_node uuid = first_child(tiff_data, "UUID");
  if (!uuid) return 0;
  OmeFileRef ref{std::string(trimmed(uuid.text().get())), uuid.attribute("FileName").value()};
  if (ref == OmeFileRef{} || (!document_uuid.empty() && ref.uuid == document_uuid)) return 0;
  auto found = std::find(files.begin(), files.end(), ref);
  if (found != files.end()) return static_cast<std::int32_t>(found - files.begin());
  files.push_back(std::move(ref));
  return static_cast<std::int32_t>(files.size() - 1);
}

void map_tiff_data(const pugi::xml_node& tiff_data, const std::string& where,
                   const std::string& document_uuid, OmeImage& image) {
  std::optional<std::int64_t> ifd = integer_attribute(tiff_data, "IFD", 0, where);
  std::optional<std::int64_t> count = integer_attribute(tiff_data, "PlaneCount", 0, where);
  if (!count) count = integer_attribute(tiff_data, "NumPlanes", 0, where);
  std::int64_t first_z = integer_attribute(tiff_data, "FirstZ", 0, where).value_or(0);
  std::int64_t first_c = integer_attribute(tiff_data, "FirstC", 0, where).value_or(0);
  std::int64_t first_t = integer_attribute(tiff_data, "FirstT", 0, where).value_or(0);
  if (first_z >= image.size_z || first_c >= image.size_c || first_t >= image.size_t)
    fail(where + ": plane index out of range: FirstZ=" + std::to_string(first_z) +
         " FirstC=" + std::to_string(first_c) + " FirstT=" + std::to_string(first_t) +
         " with SizeZ=" + std::to_string(image.size_z) + " C planes=" +
         std::to_string(image.size_c) + " SizeT=" + std::to_string(image.size_t));

  const auto start = static_cast<std::int64_t>(position_in_order(image, first_z, first_c, first_t));
  const std::int64_t planes_left = plane_count(image) - start;
  const std::int64_t run = count ? *count : ifd ? 1 : planes_left;
  if (run > planes_left)
    fail(where + ": plane index out of range: maps " + std::to_string(run) +
         " planes from plane " + std::to_string(start) + " of " +
         std::to_string(plane_count(image)));
  const std::int64_t first_ifd = ifd.value_or(0);
  if (run > 0 && first_ifd + run - 1 > std::numeric_limits<std::uint32_t>::max())
    fail(where + ": TiffData IFD " + std::to_string(first_ifd + run - 1) + " is out of range");

  const std::int32_t file = file_index(tiff_data, document_uuid, image.files);
  for (std::int64_t i = 0; i < run; ++i)
    image.planes[plane_index_in_order(image, static_cast<std::size_t>(start + i))] =
        OmePlane{file, static_cast<std::uint32_t>(first_ifd + i)};
}

void map_planes(const pugi::xml_node& pixels, const std::string& where,
                const std::string& document_uuid, OmeImage& image) {
  image.files = {OmeFileRef{}};
  image.planes.assign(static_cast<std::size_t>(plane_count(image)), OmePlane{});
  std::vector<pugi::xml_node> tiff_data = children(pixels, "TiffData");
  if (tiff_data.empty()) {
    for (std::size_t n = 0; n < image.planes.size(); ++n)
      image.planes[plane_index_in_order(image, n)] = OmePlane{0, static_cast<std::uint32_t>(n)};
    return;
  }
  for (std::size_t i = 0; i < tiff_data.size(); ++i)
    map_tiff_data(tiff_data[i], where + ", TiffData " + std::to_string(i), document_uuid, image);
}

OmeImage parse_image(const pugi::xml_node& image_node, std::size_t index,
                     const std::string& document_uuid) {
  const std::string where = "Image " + std::to_string(index);
  pugi::xml_node pixels = first_child(image_node, "Pixels");
  if (!pixels) fail(where + " has no Pixels");

  OmeImage image;
  image.size_x = required_size(pixels, "SizeX", where);
  image.size_y = required_size(pixels, "SizeY", where);
  image.size_z = required_size(pixels, "SizeZ", where);
  image.size_c = required_size(pixels, "SizeC", where);
  image.size_t = required_size(pixels, "SizeT", where);
  image.dimension_order = dimension_order(pixels, where);
  read_pixel_type(pixels, image);
  read_physical_sizes(pixels, image);
  // Checked on SizeC as written (>= the C plane count) before anything is sized by it.
  if (image.size_z > kMaxPlanes || image.size_c > kMaxPlanes / image.size_z ||
      image.size_t > kMaxPlanes / (image.size_z * image.size_c))
    fail(where + ": too many planes (SizeZ=" + std::to_string(image.size_z) + ", SizeC=" +
         std::to_string(image.size_c) + ", SizeT=" + std::to_string(image.size_t) + ")");
  read_channels(pixels, where, image);
  map_planes(pixels, where, document_uuid, image);
  return image;
}

}  // namespace

OmeDocument parse_ome_xml(std::string_view xml) {
  pugi::xml_document document;
  pugi::xml_parse_result parsed = document.load_buffer(xml.data(), xml.size());
  if (!parsed)
    fail(std::string("malformed XML at offset ") + std::to_string(parsed.offset) + ": " +
         parsed.description());
  pugi::xml_node root = document.document_element();
  if (local_name(root) != "OME")
    fail("root element is <" + std::string(root.name()) + ">, not <OME>");

  OmeDocument result;
  result.uuid = trimmed(root.attribute("UUID").value());
  result.binary_only_metadata = first_child(root, "BinaryOnly").attribute("MetadataFile").value();
  std::vector<pugi::xml_node> images = children(root, "Image");
  for (std::size_t i = 0; i < images.size(); ++i)
    result.images.push_back(parse_image(images[i], i, result.uuid));
  return result;
}

std::size_t plane_index_in_order(const OmeImage& image, std::size_t n) {
  if (n >= static_cast<std::size_t>(plane_count(image)))
    fail("plane " + std::to_string(n) + " is out of range (" +
         std::to_string(plane_count(image)) + " planes)");
  auto rest = static_cast<std::int64_t>(n);
  std::array<std::int64_t, 3> zct{};  // z, c, t
  for (char axis : std::string_view(image.dimension_order).substr(2)) {
    std::int64_t size = axis_size(image, axis);
    zct[axis == 'Z' ? 0 : axis == 'C' ? 1 : 2] = rest % size;
    rest /= size;
  }
  return static_cast<std::size_t>((zct[2] * image.size_c + zct[1]) * image.size_z + zct[0]);
}

}  // namespace strata::tiff
