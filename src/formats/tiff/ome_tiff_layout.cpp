#include "formats/tiff/ome_tiff_layout.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include <pugixml.hpp>

#include "codecs/deflate.hpp"
#include "codecs/predictor.hpp"
#include "codecs/zstd.hpp"
#include "exec/parallel_for.hpp"
#include "strata/buffer.hpp"
#include "strata/error.hpp"
#include "strata/version.hpp"

namespace strata::ome_tiff {
namespace {

static_assert(std::endian::native == std::endian::little, "strata writes little-endian TIFF from native memory");

// Strips of about this many raw bytes (at least one row): small enough for readers to
// decode a plane in parallel, large enough that per-strip overhead does not matter.
constexpr std::size_t kStripBytes = std::size_t{256} << 10;

// Deflate at libdeflate's level 1: on the 500-plane benchmark stack (docs/benchmarks.md) it
// wrote several times faster than level 6 for output a few per cent larger. zstd at its default.
constexpr int kDeflateLevel = 1;
constexpr int kZstdLevel = 3;

// Strips are encoded in waves of about this many raw bytes (or one strip per thread): the
// scratch they are encoded into stays within the output's memory allowance.
constexpr std::size_t kWaveBytes = std::size_t{16} << 20;

[[noreturn]] void fail(const std::string& cause) { throw Error("", "OME-TIFF: " + cause); }

// ---- OME-XML ------------------------------------------------------------------------------

constexpr const char* kOmeNamespace = "http://www.openmicroscopy.org/Schemas/OME/2016-06";

std::string_view ome_type(DType dtype) {
  switch (dtype) {
    case DType::float32: return "float";
    case DType::float64: return "double";
    default: return name(dtype);  // int8 ... uint32 are spelt as NumPy does
  }
}

// OME's UnitsLength or UnitsTime symbol for `unit`; nullopt when OME has none. Empty stays
// empty: OME then means µm (lengths) or s (time), as strata's reader does.
std::optional<std::string> ome_unit(const std::string& unit, bool time) {
  static const std::vector<std::string_view> kLength{
      "Ym", "Zm", "Em", "Pm", "Tm", "Gm", "Mm", "km", "hm", "dam", "m", "dm", "cm", "mm", "\u00b5m",
      "nm", "pm", "fm", "am", "zm", "ym", "\u00c5", "thou", "li", "in", "ft", "yd", "mi", "ua", "ly",
      "pc", "pt", "pixel", "reference frame"};
  static const std::vector<std::string_view> kTime{
      "Ys", "Zs", "Es", "Ps", "Ts", "Gs", "Ms", "ks", "hs", "das", "s", "ds", "cs", "ms",
      "\u00b5s", "ns", "ps", "fs", "as", "zs", "ys", "min", "h", "d"};
  if (unit.empty()) return unit;
  // Spellings of micro- that are not OME's (the micro sign U+00B5).
  if (unit == "um" || unit == "micron" || unit == "microns" || unit == "\u03bcm") return "\u00b5m";
  if (unit == "us" || unit == "\u03bcs") return "\u00b5s";
  const auto& known = time ? kTime : kLength;
  if (std::find(known.begin(), known.end(), unit) != known.end()) return unit;
  return std::nullopt;
}

std::string shortest(double value) {
  char text[32];
  const auto [end, error] = std::to_chars(text, text + sizeof text, value);
  return std::string(text, end);
}

void add_physical_size(pugi::xml_node pixels, const ArrayInfo& info, char axis, const char* value_name,
                       const char* unit_name, bool time) {
  const auto found = info.physical_sizes.find(axis);
  if (found == info.physical_sizes.end()) return;
  const PhysicalSize& size = found->second;
  const std::optional<std::string> unit = ome_unit(size.unit, time);
  if (!unit || !std::isfinite(size.value) || size.value <= 0) return;
  pixels.append_attribute(value_name) = shortest(size.value).c_str();
  if (!unit->empty()) pixels.append_attribute(unit_name) = unit->c_str();
}

// The position of the voxel at `index` along `axis` in the source's frame: (origin + index)
// × the axis's physical size, with OME's unit; nullopt when the size is not known.
std::optional<std::pair<double, std::string>> position(const ArrayInfo& info, const std::vector<std::int64_t>& origin,
                                                       char axis, std::int64_t index) {
  const auto found = info.physical_sizes.find(axis);
  if (found == info.physical_sizes.end()) return std::nullopt;
  const std::optional<std::string> unit = ome_unit(found->second.unit, false);
  if (!unit || !std::isfinite(found->second.value) || found->second.value <= 0) return std::nullopt;
  const auto at = info.dims.find(axis);
  const std::int64_t start = at != std::string::npos && at < origin.size() ? origin[at] : 0;
  return std::pair{static_cast<double>(start + index) * found->second.value, unit->empty() ? "\u00b5m" : *unit};
}

// One Plane element per plane (after TiffData, as the schema orders them) saying where it
// lies, when a physical size of X, Y or Z is known: a cut-out still says where it came from.
void add_plane_positions(pugi::xml_node pixels, const ArrayInfo& info, const PlaneFormat& f,
                         const std::vector<std::int64_t>& origin) {
  const auto x = position(info, origin, 'X', 0), y = position(info, origin, 'Y', 0);
  if (!x && !y && !position(info, origin, 'Z', 0)) return;
  for (std::uint64_t plane = 0; plane < f.planes; ++plane) {
    // DimensionOrder names the fastest axis first, after X and Y.
    std::int64_t the_z = 0, the_c = 0, the_t = 0, rest = static_cast<std::int64_t>(plane);
    for (char axis : std::string_view(f.dimension_order).substr(2)) {
      const std::int64_t size = axis == 'Z' ? f.size_z : axis == 'C' ? f.size_c : f.size_t;
      (axis == 'Z' ? the_z : axis == 'C' ? the_c : the_t) = rest % size;
      rest /= size;
    }
    pugi::xml_node node = pixels.append_child("Plane");
    node.append_attribute("TheZ") = the_z;
    node.append_attribute("TheT") = the_t;
    node.append_attribute("TheC") = the_c;
    const std::pair<std::optional<std::pair<double, std::string>>, const char*> positions[] = {
        {x, "PositionX"}, {y, "PositionY"}, {position(info, origin, 'Z', the_z), "PositionZ"}};
    for (const auto& [value, name] : positions) {
      if (!value) continue;
      node.append_attribute(name) = shortest(value->first).c_str();
      node.append_attribute((std::string(name) + "Unit").c_str()) = value->second.c_str();
    }
  }
}

struct StringWriter final : pugi::xml_writer {
  std::string text;
  void write(const void* data, std::size_t size) override { text.append(static_cast<const char*>(data), size); }
};

// ---- IFDs ---------------------------------------------------------------------------------

enum FieldType : std::uint16_t { kAscii = 2, kShort = 3, kLong = 4, kLong8 = 16, kIfd8 = 18 };

template <class T>
void put(std::vector<std::byte>& out, T value) {
  const std::size_t at = out.size();
  out.resize(at + sizeof value);
  std::memcpy(out.data() + at, &value, sizeof value);
}

struct Entry {
  std::uint16_t tag;
  std::uint16_t type;
  std::uint64_t count;
  std::vector<std::byte> value;  // count values, little-endian
};

template <class T>
Entry numbers(std::uint16_t tag, std::uint16_t type, std::span<const T> values) {
  Entry e{tag, type, values.size(), {}};
  for (T v : values) put(e.value, v);
  return e;
}

template <class T>
Entry number(std::uint16_t tag, std::uint16_t type, T value) {
  return numbers<T>(tag, type, std::span<const T>(&value, 1));
}

Entry text(std::uint16_t tag, std::string_view value) {
  Entry e{tag, kAscii, value.size() + 1, {}};
  const auto* bytes = reinterpret_cast<const std::byte*>(value.data());
  e.value.assign(bytes, bytes + value.size());
  e.value.push_back(std::byte{0});
  return e;
}

std::uint16_t sample_format(DType dtype) {
  if (is_float(dtype)) return 3;
  switch (dtype) {
    case DType::int8:
    case DType::int16:
    case DType::int32:
    case DType::int64: return 2;
    default: return 1;
  }
}

// The tags of one IFD, in ascending order as TIFF requires: a full-resolution one (level 0)
// lists its reduced levels' IFDs in `subifds`; a reduced one has none.
std::vector<Entry> ifd_entries(const PlaneFormat& f, bool first, int level, std::span<const std::uint64_t> subifds,
                               std::span<const std::uint64_t> strip_offsets,
                               std::span<const std::uint64_t> strip_sizes, std::string_view xml) {
  const bool rgb = f.samples == 3;
  const std::size_t extra_samples = f.samples - (rgb ? 3u : 1u);
  const std::vector<std::uint16_t> bits(f.samples, static_cast<std::uint16_t>(8 * size_of(f.dtype)));
  const std::vector<std::uint16_t> formats(f.samples, sample_format(f.dtype));
  const std::vector<std::uint16_t> unspecified(extra_samples, 0);
  std::vector<Entry> e;
  e.push_back(number<std::uint32_t>(254, kLong, level == 0 ? 0 : 1));  // NewSubfileType: 1, reduced resolution
  e.push_back(number<std::uint32_t>(256, kLong, f.width));
  e.push_back(number<std::uint32_t>(257, kLong, f.length));
  e.push_back(numbers<std::uint16_t>(258, kShort, bits));
  e.push_back(number<std::uint16_t>(259, kShort, f.compression));
  e.push_back(number<std::uint16_t>(262, kShort, rgb ? 2 : 1));  // Photometric: RGB or MinIsBlack
  if (first) e.push_back(text(270, xml));                          // ImageDescription
  e.push_back(numbers<std::uint64_t>(273, kLong8, strip_offsets));
  e.push_back(number<std::uint16_t>(277, kShort, f.samples));
  e.push_back(number<std::uint32_t>(278, kLong, f.rows_per_strip));
  e.push_back(numbers<std::uint64_t>(279, kLong8, strip_sizes));
  e.push_back(number<std::uint16_t>(284, kShort, 1));  // PlanarConfiguration: interleaved samples
  e.push_back(text(305, "strata"));                    // Software
  if (f.predictor != 1) e.push_back(number<std::uint16_t>(317, kShort, f.predictor));
  if (!subifds.empty()) e.push_back(numbers<std::uint64_t>(330, kIfd8, subifds));  // SubIFDs
  if (extra_samples > 0) e.push_back(numbers<std::uint16_t>(338, kShort, unspecified));
  e.push_back(numbers<std::uint16_t>(339, kShort, formats));
  return e;
}

std::uint64_t padded(std::uint64_t bytes) { return (bytes + 7) / 8 * 8; }

// BigTIFF: an 8-byte count, 20-byte entries, an 8-byte next-IFD offset, then the values
// longer than the 8 bytes an entry holds, each 8-byte aligned.
std::uint64_t serialized_bytes(const std::vector<Entry>& entries) {
  std::uint64_t bytes = 8 + 20 * entries.size() + 8;
  for (const Entry& e : entries)
    if (e.value.size() > 8) bytes += padded(e.value.size());
  return bytes;
}

void serialize(const std::vector<Entry>& entries, std::uint64_t at, std::uint64_t next,
               std::vector<std::byte>& out) {
  std::uint64_t value_at = at + 8 + 20 * entries.size() + 8;
  put<std::uint64_t>(out, entries.size());
  for (const Entry& e : entries) {
    put(out, e.tag);
    put(out, e.type);
    put(out, e.count);
    if (e.value.size() <= 8) {
      out.insert(out.end(), e.value.begin(), e.value.end());
      out.resize(out.size() + 8 - e.value.size());
    } else {
      put(out, value_at);
      value_at += padded(e.value.size());
    }
  }
  put(out, next);
  for (const Entry& e : entries)
    if (e.value.size() > 8) {
      out.insert(out.end(), e.value.begin(), e.value.end());
      out.resize(out.size() + padded(e.value.size()) - e.value.size());
    }
}

// The size of a plane's IFD at `level` of a pyramid of `levels`, from one built with
// placeholder values.
std::uint64_t ifd_bytes(const PlaneFormat& f, bool first, int level, int levels, std::size_t xml_bytes) {
  const std::vector<std::uint64_t> strips(f.strips_per_plane(), 0);
  const std::vector<std::uint64_t> subifds(level == 0 ? static_cast<std::size_t>(levels - 1) : 0, 0);
  return serialized_bytes(
      ifd_entries(f, first, level, subifds, strips, strips, std::string(first ? xml_bytes : 0, ' ')));
}

// Strips of about kStripBytes, whole rows, at least one.
std::uint32_t rows_per_strip(const PlaneFormat& f) {
  return static_cast<std::uint32_t>(std::clamp<std::size_t>(kStripBytes / f.row_bytes(), 1, f.length));
}

}  // namespace

std::size_t PlaneFormat::strip_bytes(std::uint32_t k) const noexcept {
  const std::uint32_t rows = std::min(rows_per_strip, length - k * rows_per_strip);
  return row_bytes() * rows;
}

PlaneFormat plane_format(const ArrayInfo& info, std::string_view codec) {
  if (info.dtype == DType::int64 || info.dtype == DType::uint64)
    fail("OME has no 64-bit integer pixel type (" + std::string(name(info.dtype)) +
         "); write .zarr, .h5 or .npy instead");
  if (info.dtype == DType::float16 || info.dtype == DType::bool_)
    fail("OME has no " + std::string(name(info.dtype)) + " pixel type; write .zarr or .npy instead");
  if (info.dims.size() != info.shape.size())
    fail("dims '" + info.dims + "' do not match a shape of " + std::to_string(info.shape.size()) + " axes");
  const bool samples = info.dims.ends_with("YXS");
  if (!samples && !info.dims.ends_with("YX"))
    fail("an OME-TIFF plane is YX or YXS: the dims '" + info.dims + "' do not end in either");
  const std::size_t leading = info.dims.size() - (samples ? 3 : 2);
  if (element_count(info.shape) == 0) fail("the array is empty");

  PlaneFormat f;
  f.dtype = info.dtype;
  for (std::size_t i = 0; i < leading; ++i) {
    switch (info.dims[i]) {
      case 'T': f.size_t = info.shape[i]; break;
      case 'C': f.size_c = info.shape[i]; break;
      case 'Z': f.size_z = info.shape[i]; break;
      default:
        fail("OME-TIFF holds the axes T, C, Z, Y, X and S only; the dims '" + info.dims + "' have " +
             info.dims[i]);
    }
  }
  const std::int64_t length = info.shape[leading], width = info.shape[leading + 1];
  const std::int64_t sample_count = samples ? info.shape[leading + 2] : 1;
  constexpr std::int64_t kMaxSide = std::numeric_limits<std::uint32_t>::max();
  if (length > kMaxSide || width > kMaxSide)
    fail("planes of " + std::to_string(length) + "x" + std::to_string(width) + " exceed TIFF's 2^32-1 per side");
  if (sample_count > std::numeric_limits<std::uint16_t>::max())
    fail(std::to_string(sample_count) + " samples per pixel exceed TIFF's 65535");
  f.length = static_cast<std::uint32_t>(length);
  f.width = static_cast<std::uint32_t>(width);
  f.samples = static_cast<std::uint16_t>(sample_count);
  f.planes = static_cast<std::uint64_t>(f.size_z * f.size_c * f.size_t);
  f.rows_per_strip = rows_per_strip(f);

  if (codec == "deflate") f.compression = 8;
  else if (codec == "zstd") f.compression = 50000;
  else if (codec != "none") fail("unknown codec '" + std::string(codec) + "'");
  if (f.compression != 1 && !is_float(f.dtype)) f.predictor = 2;

  // Planes are numbered in C order of the leading axes, the last fastest; DimensionOrder
  // names the fastest first. Absent axes have size 1 and go anywhere: canonical T,C,Z
  // order (any subset) gives OME's usual XYZCT.
  const std::string lead = info.dims.substr(0, leading);
  constexpr std::string_view kCanonical = "TCZ";
  const bool canonical = std::is_sorted(lead.begin(), lead.end(),
                                        [&](char a, char b) { return kCanonical.find(a) < kCanonical.find(b); });
  if (canonical) {
    f.dimension_order = "XYZCT";
  } else {
    f.dimension_order = "XY" + std::string(lead.rbegin(), lead.rend());
    for (char axis : std::string_view("ZCT"))
      if (lead.find(axis) == std::string::npos) f.dimension_order += axis;
  }
  return f;
}

PlaneFormat level_format(const PlaneFormat& format, int level) {
  PlaneFormat f = format;
  for (int k = 0; k < level; ++k) {
    f.width = (f.width + 1) / 2;
    f.length = (f.length + 1) / 2;
  }
  f.rows_per_strip = rows_per_strip(f);
  return f;
}

std::string ome_xml(const ArrayInfo& info, const PlaneFormat& f, std::string_view uuid,
                    const std::vector<std::int64_t>& origin) {
  pugi::xml_document doc;
  pugi::xml_node declaration = doc.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  pugi::xml_node ome = doc.append_child("OME");
  ome.append_attribute("xmlns") = kOmeNamespace;
  ome.append_attribute("xmlns:xsi") = "http://www.w3.org/2001/XMLSchema-instance";
  ome.append_attribute("xsi:schemaLocation") = (std::string(kOmeNamespace) + " " + kOmeNamespace + "/ome.xsd").c_str();
  ome.append_attribute("UUID") = std::string(uuid).c_str();
  ome.append_attribute("Creator") = (std::string("strata ") + kVersion).c_str();

  pugi::xml_node image = ome.append_child("Image");
  image.append_attribute("ID") = "Image:0";
  pugi::xml_node pixels = image.append_child("Pixels");
  pixels.append_attribute("ID") = "Pixels:0";
  pixels.append_attribute("DimensionOrder") = f.dimension_order.c_str();
  pixels.append_attribute("Type") = std::string(ome_type(f.dtype)).c_str();
  pixels.append_attribute("SizeX") = f.width;
  pixels.append_attribute("SizeY") = f.length;
  pixels.append_attribute("SizeZ") = f.size_z;
  pixels.append_attribute("SizeC") = f.size_c * f.samples;  // OME counts samples as channels
  pixels.append_attribute("SizeT") = f.size_t;
  add_physical_size(pixels, info, 'X', "PhysicalSizeX", "PhysicalSizeXUnit", false);
  add_physical_size(pixels, info, 'Y', "PhysicalSizeY", "PhysicalSizeYUnit", false);
  add_physical_size(pixels, info, 'Z', "PhysicalSizeZ", "PhysicalSizeZUnit", false);
  add_physical_size(pixels, info, 'T', "TimeIncrement", "TimeIncrementUnit", true);
  const bool named = info.channel_names.size() == static_cast<std::size_t>(f.size_c);
  for (std::int64_t c = 0; c < f.size_c; ++c) {
    pugi::xml_node channel = pixels.append_child("Channel");
    channel.append_attribute("ID") = ("Channel:0:" + std::to_string(c)).c_str();
    channel.append_attribute("SamplesPerPixel") = f.samples;
    if (named) channel.append_attribute("Name") = info.channel_names[static_cast<std::size_t>(c)].c_str();
  }
  pugi::xml_node tiff_data = pixels.append_child("TiffData");
  tiff_data.append_attribute("IFD") = 0;
  tiff_data.append_attribute("PlaneCount") = f.planes;
  tiff_data.append_child("UUID").text() = std::string(uuid).c_str();
  add_plane_positions(pixels, info, f, origin);

  StringWriter writer;
  doc.save(writer, "", pugi::format_raw | pugi::format_skip_control_chars, pugi::encoding_utf8);
  return writer.text;
}

std::array<std::byte, 16> bigtiff_header(std::uint64_t first_ifd) {
  // "II" (little-endian), 43 (BigTIFF), 8 (offsets are 8 bytes), 0, then the first IFD.
  const std::array<std::uint16_t, 4> head{0x4949, 43, 8, 0};
  std::array<std::byte, 16> header{};
  std::memcpy(header.data(), head.data(), 8);
  std::memcpy(header.data() + 8, &first_ifd, 8);
  return header;
}

FileLayout::FileLayout(const PlaneFormat& format, std::size_t xml_bytes, int levels)
    : first_ifd_bytes_(ifd_bytes(format, true, 0, levels, xml_bytes)) {
  constexpr std::uint64_t kHeader = 16;
  std::uint64_t at = kHeader + first_ifd_bytes_;
  for (int k = 0; k < levels; ++k) {
    formats_.push_back(level_format(format, k));
    ifd_bytes_.push_back(ifd_bytes(formats_.back(), false, k, levels, 0));
    if (k > 0) level_at_.push_back(at);
    at += (k == 0 ? format.planes - 1 : format.planes) * ifd_bytes_.back();
  }
  data_offset_ = at;
}

std::uint64_t FileLayout::ifd_offset(std::uint64_t plane, int level) const noexcept {
  constexpr std::uint64_t kHeader = 16;
  if (level > 0) return level_at_[static_cast<std::size_t>(level - 1)] + plane * ifd_bytes_[static_cast<std::size_t>(level)];
  return plane == 0 ? kHeader : kHeader + first_ifd_bytes_ + (plane - 1) * ifd_bytes_[0];
}

void append_ifd(std::vector<std::byte>& out, const FileLayout& layout, std::uint64_t plane, int level,
                std::span<const std::uint64_t> strip_offsets, std::span<const std::uint64_t> strip_sizes,
                std::string_view xml) {
  const PlaneFormat& f = layout.format(level);
  // The main chain links the full-resolution IFDs; reduced ones are reached through SubIFDs only.
  const std::uint64_t next = level == 0 && plane + 1 < f.planes ? layout.ifd_offset(plane + 1) : 0;
  std::vector<std::uint64_t> subifds;
  if (level == 0)
    for (int k = 1; k < layout.levels(); ++k) subifds.push_back(layout.ifd_offset(plane, k));
  serialize(ifd_entries(f, plane == 0 && level == 0, level, subifds, strip_offsets, strip_sizes, xml),
            layout.ifd_offset(plane, level), next, out);
}

void InPlacePacker::append(std::span<const std::byte> block, std::size_t consumed_end) {
  // The spill comes first in the stream: drain it before placing any of this block.
  const std::size_t drained = std::min(spill_.size(), consumed_end - used_);
  if (drained > 0) {
    std::memcpy(memory_.data() + used_, spill_.data(), drained);
    used_ += drained;
    spill_.erase(spill_.begin(), spill_.begin() + static_cast<std::ptrdiff_t>(drained));
  }
  if (spill_.empty() && !block.empty()) {
    const std::size_t placed = std::min(block.size(), consumed_end - used_);
    std::memcpy(memory_.data() + used_, block.data(), placed);
    used_ += placed;
    block = block.subspan(placed);
  }
  spill_.insert(spill_.end(), block.begin(), block.end());
}

std::vector<std::uint64_t> raw_strip_sizes(const PlaneFormat& f, std::int64_t planes) {
  std::vector<std::uint64_t> sizes;
  for (std::int64_t p = 0; p < planes; ++p)
    for (std::uint32_t k = 0; k < f.strips_per_plane(); ++k) sizes.push_back(f.strip_bytes(k));
  return sizes;
}

std::vector<std::uint64_t> encode_strips(std::span<std::byte> memory, const PlaneFormat& f, InPlacePacker& packer,
                                         int threads) {
  const bool deflate = f.compression == 8;
  const std::size_t bound =
      deflate ? codecs::zlib_compress_bound(f.strip_bytes()) : codecs::zstd_compress_bound(f.strip_bytes());
  const std::size_t strips_per_plane = f.strips_per_plane();
  const std::size_t strips = memory.size() / f.plane_bytes() * strips_per_plane;
  auto raw_strip = [&](std::size_t i) {
    const std::uint32_t k = static_cast<std::uint32_t>(i % strips_per_plane);
    return memory.subspan(i / strips_per_plane * f.plane_bytes() + k * f.strip_bytes(), f.strip_bytes(k));
  };
  // Waves of strips are encoded on `threads` threads, each strip into its own scratch slot,
  // then packed in order: by then every raw strip of the wave is consumed.
  const std::size_t wave =
      std::max({std::size_t{1}, kWaveBytes / f.strip_bytes(), static_cast<std::size_t>(threads)});
  Buffer scratch(std::min(wave, strips) * bound);
  std::vector<std::uint64_t> sizes(strips);
  for (std::size_t first = 0; first < strips; first += wave) {
    const std::size_t count = std::min(wave, strips - first);
    exec::parallel_for(count, threads, [&](std::size_t j, int) {
      const std::span<std::byte> raw = raw_strip(first + j);
      const std::span<std::byte> out(scratch.data() + j * bound, bound);
      if (f.predictor == 2) codecs::apply_horizontal_predictor(raw, f.row_bytes(), size_of(f.dtype), f.samples);
      sizes[first + j] =
          deflate ? codecs::deflate_zlib(raw, out, kDeflateLevel) : codecs::compress_zstd(raw, out, kZstdLevel);
    });
    const std::span<std::byte> last = raw_strip(first + count - 1);
    const std::size_t consumed_end = static_cast<std::size_t>(last.data() + last.size() - memory.data());
    for (std::size_t j = 0; j < count; ++j)
      packer.append({scratch.data() + j * bound, sizes[first + j]}, consumed_end);
  }
  return sizes;
}

}  // namespace strata::ome_tiff
