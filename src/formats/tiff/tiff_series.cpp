#include "formats/tiff/tiff_series.hpp"

#include <tiff.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>

#include "formats/tiff/imagej.hpp"
#include "formats/tiff/ome_xml.hpp"
#include "formats/tiff/tiff_encoding.hpp"
#include "io/confined_path.hpp"
#include "io/file.hpp"
#include "strata/error.hpp"

namespace strata::tiff {
namespace {

constexpr std::string_view kCompanionSuffix = ".companion.ome";

// The file `name` that the XML in `xml_path` refers to (a part, a companion file): resolved
// against the XML file's folder, and refused unless it lies inside that folder
// (docs/security.md).
std::string referred_file(const std::string& xml_path, const std::string& name) {
  const std::size_t slash = xml_path.rfind('/');
  const std::string folder = slash == std::string::npos ? "" : slash == 0 ? "/" : xml_path.substr(0, slash);
  return io::confined_path(folder, name, xml_path);
}

bool is_ome_xml(std::string_view description) {
  const std::size_t first = description.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || description[first] != '<') return false;
  return description.find("<OME") != std::string_view::npos ||
         description.find(":OME") != std::string_view::npos;
}

OmeDocument parse_ome(const std::string& xml, const std::string& path) {
  return annotated({path, {}, {}, {}}, [&] { return parse_ome_xml(xml); });
}

// What every plane of a series shares.
struct PlaneLayout {
  std::uint32_t width = 0;
  std::uint32_t length = 0;
  std::uint16_t samples = 1;
  DType dtype = DType::uint8;

  std::string to_string() const {
    return std::to_string(width) + "x" + std::to_string(length) + " pixels of " +
           std::to_string(samples) + " " + std::string(name(dtype)) + " sample(s)";
  }
  bool operator==(const PlaneLayout&) const = default;
};

PlaneLayout layout_of(const TiffStructure& file, std::size_t page_index) {
  const TiffPage& page = file.pages[page_index];
  return {page.width, page.length, page.samples,
          check_page_supported(page, file.path, page_index)};
}

// Checks every stored plane against the first one; returns the shared layout.
PlaneLayout common_layout(const TiffSeries& s) {
  std::optional<PlaneLayout> first;
  std::string first_where;
  for (const PlaneSource& plane : s.planes) {
    if (plane.file < 0) continue;
    const TiffStructure& file = s.files[plane.file];
    PlaneLayout layout = layout_of(file, plane.page);
    if (!first) {
      first = layout;
      first_where = file.path + " IFD " + std::to_string(plane.page);
    } else if (layout != *first) {
      throw Error(file.path, "IFD " + std::to_string(plane.page) + " holds " + layout.to_string() +
                                 ", unlike " + first_where + " (" + first->to_string() +
                                 "): the pages of one series must match");
    }
  }
  if (!first) throw Error(s.files.empty() ? "" : s.files[0].path, "no plane of the image is stored");
  return *first;
}

void set_shape(TiffSeries& s, std::int64_t t, std::int64_t c, std::int64_t z, const PlaneLayout& l) {
  s.info.shape = {t, c, z, l.length, l.width};
  s.info.dims = "TCZYX";
  if (l.samples > 1) {
    s.info.shape.push_back(l.samples);
    s.info.dims += 'S';
  }
  s.info.dtype = l.dtype;
}

const PlaneSource& first_stored(const TiffSeries& s) {
  for (const PlaneSource& plane : s.planes)
    if (plane.file >= 0) return plane;
  throw Error(s.files.empty() ? "" : s.files[0].path, "no plane of the image is stored");
}

// How the pages store the series (its pages match: common_layout checked), for `info`:
// strips or tiles and their size, and whether the values are colour-map indices.
void describe_storage(TiffSeries& s) {
  const PlaneSource& first = first_stored(s);
  const TiffPage& page = s.files[first.file].pages[first.page];
  s.info.storage = page.tiled ? "tiles" : "strips";
  s.info.block_shape = {1, 1, 1, page.tiled ? page.tile_length : std::min(page.rows_per_strip, page.length),
                        page.tiled ? page.tile_width : page.width};
  if (page.samples > 1) s.info.block_shape.push_back(page.planar == PLANARCONFIG_SEPARATE ? 1 : page.samples);
  s.info.palette = page.photometric == PHOTOMETRIC_PALETTE;
}

// The SubIFD pyramid's levels: as many as every stored plane's page has (what --level
// accepts), their Y and X sizes from the first stored plane's SubIFDs.
void list_levels(TiffSeries& s) {
  std::size_t reduced = SIZE_MAX;
  for (const PlaneSource& plane : s.planes) {
    if (plane.file < 0) continue;
    // ImageJ's one-IFD layout stores planes after the page: no level but the first.
    reduced = plane.data_shift != 0 ? 0 : std::min(reduced, s.files[plane.file].pages[plane.page].subifds.size());
  }
  if (reduced == 0 || reduced == SIZE_MAX) return;
  const PlaneSource& first = first_stored(s);
  std::vector<TiffPage> pages;
  try {
    pages = read_subifd_pages(s.files[first.file], first.page, reduced);
  } catch (const Error&) {
    // A damaged pyramid does not keep the full-resolution image from opening; --level N on
    // it fails then, naming the SubIFD.
    return;
  }
  s.info.levels = {s.info.shape};
  for (const TiffPage& page : pages) {
    Shape shape = s.info.shape;
    shape[3] = page.length;
    shape[4] = page.width;
    s.info.levels.push_back(std::move(shape));
  }
}

// Main-chain pages that are images of the series: not reduced-resolution copies (GDAL
// overviews) and not transparency masks.
std::vector<std::int32_t> full_resolution_pages(const TiffStructure& file) {
  std::vector<std::int32_t> pages;
  for (std::size_t i = 0; i < file.pages.size(); ++i)
    if (!file.pages[i].reduced_resolution() && !file.pages[i].transparency_mask())
      pages.push_back(static_cast<std::int32_t>(i));
  if (pages.empty()) throw Error(file.path, "every page is a reduced-resolution copy or a mask");
  return pages;
}

TiffSeries plain_series(TiffStructure file) {
  TiffSeries s;
  s.info.format = "tiff";
  for (std::int32_t page : full_resolution_pages(file)) s.planes.push_back({0, page, 0});
  s.files.push_back(std::move(file));
  set_shape(s, 1, 1, static_cast<std::int64_t>(s.planes.size()), common_layout(s));
  return s;
}

// ---- ImageJ ---------------------------------------------------------------------------

std::string normalized_unit(const std::string& unit) {
  if (unit == "micron" || unit == "microns" || unit == "um" || unit == "\\u00B5m" ||
      unit == "\\u00b5m" || unit == "\u00b5m")
    return "\u00b5m";
  return unit;
}

// Whether the page's uncompressed strips lie back to back, so that later planes of an
// ImageJ file with a single IFD (ImageJ does this above 4 GiB) follow at fixed steps.
bool stored_contiguously(const TiffPage& page, const TiffEncoding& e) {
  if (!e.row_addressable() || e.planar == 2 || page.striles.empty()) return false;
  std::uint64_t end = page.striles[0].offset;
  for (const ByteRange& strip : page.striles) {
    if (strip.offset != end) return false;
    end += strip.size;
  }
  return end - page.striles[0].offset >= e.length * e.image_row_bytes();
}

TiffSeries imagej_series(TiffStructure file, const ImageJInfo& ij) {
  TiffSeries s;
  s.info.format = "imagej-tiff";
  std::int64_t channels = ij.channels, slices = ij.slices, frames = ij.frames;
  if (channels * slices * frames == 1) slices = ij.images;  // a plain stack: images only
  const std::int64_t count = channels * slices * frames;

  const std::vector<std::int32_t> pages = full_resolution_pages(file);
  const TiffPage& first = file.pages[pages[0]];
  const TiffEncoding first_encoding = encoding_of(first, file.big_endian);
  const std::uint64_t plane_bytes = std::uint64_t{first.length} * first_encoding.image_row_bytes();
  const bool contiguous = static_cast<std::int64_t>(pages.size()) < count &&
                          stored_contiguously(first, first_encoding);
  if (static_cast<std::int64_t>(pages.size()) < count && !contiguous)
    throw Error(file.path, "the ImageJ description says images=" + std::to_string(count) +
                               " but the file holds " + std::to_string(pages.size()) + " pages");
  if (contiguous && first.striles[0].offset + count * plane_bytes > file.file_size)
    throw Error(file.path, "the ImageJ description says images=" + std::to_string(count) +
                               ", stored after the first IFD, but the file ends before them");

  s.planes.resize(static_cast<std::size_t>(count));
  // ImageJ stores C fastest, then Z, then T.
  for (std::int64_t t = 0; t < frames; ++t)
    for (std::int64_t z = 0; z < slices; ++z)
      for (std::int64_t c = 0; c < channels; ++c) {
        const std::int64_t n = (t * slices + z) * channels + c;
        PlaneSource& plane = s.planes[(t * channels + c) * slices + z];
        plane = contiguous ? PlaneSource{0, pages[0], static_cast<std::uint64_t>(n) * plane_bytes}
                           : PlaneSource{0, pages[n], 0};
      }

  const std::string unit = normalized_unit(ij.unit);
  if (!unit.empty() && file.x_resolution > 0) s.info.physical_sizes['X'] = {1.0 / file.x_resolution, unit};
  if (!unit.empty() && file.y_resolution > 0) s.info.physical_sizes['Y'] = {1.0 / file.y_resolution, unit};
  if (ij.spacing && *ij.spacing > 0) s.info.physical_sizes['Z'] = {*ij.spacing, unit};
  if (ij.finterval && *ij.finterval > 0) s.info.physical_sizes['T'] = {*ij.finterval, "s"};
  s.files.push_back(std::move(file));
  set_shape(s, frames, channels, slices, common_layout(s));
  return s;
}

// ---- OME ------------------------------------------------------------------------------

// Where the OME-XML came from and which TIFF was opened.
struct OmeContext {
  std::string xml_path;              // the TIFF or the companion file holding the XML
  bool xml_in_opened_tiff = false;
  std::string opened_uuid;           // OME/@UUID of the opened TIFF; empty for a companion
};

class OmeFiles {
 public:
  OmeFiles(TiffSeries& series, const OmeImage& image, const OmeContext& context)
      : series_(series), image_(image), context_(context), resolved_(image.files.size(), -1) {}

  // The TiffSeries::files index of OmeImage::files[ref], reading that TIFF when new.
  std::int32_t resolve(std::int32_t ref) {
    if (resolved_[ref] < 0) resolved_[ref] = locate(image_.files[ref]);
    return resolved_[ref];
  }

 private:
  std::int32_t locate(const OmeFileRef& ref) {
    if (ref == OmeFileRef{}) {  // the file the XML sits in
      if (!context_.xml_in_opened_tiff)
        throw Error(context_.xml_path, "a TiffData without UUID refers to the companion file itself");
      return 0;
    }
    // The opened TIFF is matched by its own UUID before any FileName: a renamed OME-TIFF
    // keeps its UUID but not its name.
    if (!context_.opened_uuid.empty() && ref.uuid == context_.opened_uuid) return 0;
    if (ref.file_name.empty())
      throw Error(context_.xml_path, "TiffData refers to " + ref.uuid +
                                         ", which is not this file and has no FileName");
    const std::string path = referred_file(context_.xml_path, ref.file_name);
    for (std::size_t i = 0; i < series_.files.size(); ++i) {
      std::error_code ec;
      if (series_.files[i].path == path || std::filesystem::equivalent(series_.files[i].path, path, ec))
        return static_cast<std::int32_t>(i);
    }
    series_.files.push_back(read_tiff_structure(path));
    return static_cast<std::int32_t>(series_.files.size() - 1);
  }

  TiffSeries& series_;
  const OmeImage& image_;
  const OmeContext& context_;
  std::vector<std::int32_t> resolved_;
};

TiffSeries ome_series(std::optional<TiffStructure> opened, const OmeImage& image,
                      const OmeContext& context) {
  TiffSeries s;
  s.info.format = "ome-tiff";
  if (opened) s.files.push_back(std::move(*opened));
  OmeFiles files(s, image, context);
  s.planes.resize(image.planes.size());
  for (std::size_t i = 0; i < image.planes.size(); ++i) {
    const OmePlane& where = image.planes[i];
    if (where.file < 0) continue;  // no TiffData maps it: reads as zeros
    const std::int32_t file = files.resolve(where.file);
    const TiffStructure& tiff = s.files[file];
    if (where.ifd >= tiff.pages.size()) {
      const std::int64_t z = i % image.size_z, c = (i / image.size_z) % image.size_c,
                         t = i / (image.size_z * image.size_c);
      throw Error(tiff.path, "the OME-XML maps plane (t=" + std::to_string(t) + ", c=" +
                                 std::to_string(c) + ", z=" + std::to_string(z) + ") to IFD " +
                                 std::to_string(where.ifd) + ", but the file has " +
                                 std::to_string(tiff.pages.size()) + " IFDs");
    }
    s.planes[i] = {file, static_cast<std::int32_t>(where.ifd), 0};
  }

  const PlaneLayout layout = common_layout(s);
  const std::string& xml = context.xml_path;
  if (!image.dtype)
    throw Error(xml, "OME Pixels Type \"" + image.type_name + "\" is not supported");
  if (*image.dtype != layout.dtype)
    throw Error(xml, "OME-XML says Type=" + image.type_name + " but the TIFF holds " +
                         std::string(name(layout.dtype)) + " samples");
  if (layout.width != image.size_x || layout.length != image.size_y)
    throw Error(xml, "OME-XML says SizeX=" + std::to_string(image.size_x) + " SizeY=" +
                         std::to_string(image.size_y) + " but the TIFF pages are " +
                         std::to_string(layout.width) + "x" + std::to_string(layout.length));
  if (layout.samples != image.samples_per_pixel)
    throw Error(xml, "OME-XML says SamplesPerPixel=" + std::to_string(image.samples_per_pixel) +
                         " but the TIFF pages have " + std::to_string(layout.samples));
  set_shape(s, image.size_t, image.size_c, image.size_z, layout);
  s.info.physical_sizes = image.physical_sizes;
  for (const std::string& channel : image.channel_names)
    if (!channel.empty()) s.info.channel_names = image.channel_names;
  return s;
}

TiffSeries ome_series_from_companion(const std::string& path) {
  OmeDocument doc = parse_ome(io::read_text(path), path);
  if (doc.images.empty()) throw Error(path, "the OME-XML holds no Image");
  return ome_series(std::nullopt, doc.images[0], OmeContext{path, false, ""});
}

TiffSeries ome_series_from_tiff(TiffStructure tiff) {
  OmeDocument doc = parse_ome(tiff.description, tiff.path);
  OmeContext context{tiff.path, true, doc.uuid};
  if (doc.images.empty()) {
    if (doc.binary_only_metadata.empty())
      throw Error(tiff.path, "the OME-XML holds neither an Image nor a BinaryOnly MetadataFile");
    context.xml_path = referred_file(tiff.path, doc.binary_only_metadata);
    context.xml_in_opened_tiff = false;
    doc = parse_ome(io::read_text(context.xml_path), context.xml_path);
    if (doc.images.empty()) throw Error(context.xml_path, "the OME-XML holds no Image");
  }
  return ome_series(std::move(tiff), doc.images[0], context);
}

}  // namespace

bool is_ome_companion_path(const std::string& path) {
  return path.size() >= kCompanionSuffix.size() &&
         std::equal(kCompanionSuffix.rbegin(), kCompanionSuffix.rend(), path.rbegin(),
                    [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
}

namespace {

TiffSeries read_layout(const std::string& path) {
  if (is_ome_companion_path(path)) return ome_series_from_companion(path);
  TiffStructure tiff = read_tiff_structure(path);
  if (is_ome_xml(tiff.description)) return ome_series_from_tiff(std::move(tiff));
  const std::optional<ImageJInfo> ij =
      annotated({path, {}, {}, {}}, [&] { return parse_imagej_description(tiff.description); });
  if (ij) return imagej_series(std::move(tiff), *ij);
  return plain_series(std::move(tiff));
}

}  // namespace

TiffSeries read_tiff_series(const std::string& path) {
  TiffSeries series = read_layout(path);
  describe_storage(series);
  list_levels(series);
  return series;
}

void select_level(TiffSeries& series, int level) {
  std::vector<std::vector<std::int32_t>> pages(series.files.size());
  for (const PlaneSource& plane : series.planes) {
    if (plane.file < 0) continue;
    if (plane.data_shift != 0)
      throw Error(series.files[plane.file].path, "resolution level " + std::to_string(level) +
                                                     " requested, but the file stores its planes after one IFD");
    auto& in_file = pages[static_cast<std::size_t>(plane.file)];
    if (std::find(in_file.begin(), in_file.end(), plane.page) == in_file.end()) in_file.push_back(plane.page);
  }
  for (std::size_t f = 0; f < series.files.size(); ++f) select_subifd_level(series.files[f], pages[f], level);
  const Shape full = series.info.shape;
  set_shape(series, full[0], full[1], full[2], common_layout(series));
  describe_storage(series);
  // Physical sizes are per pixel: a level with half the pixels has pixels twice the size.
  for (const auto& [axis, at] : {std::pair{'Y', 3}, std::pair{'X', 4}})
    if (auto it = series.info.physical_sizes.find(axis); it != series.info.physical_sizes.end())
      it->second.value *= static_cast<double>(full[at]) / static_cast<double>(series.info.shape[at]);
}

}  // namespace strata::tiff
