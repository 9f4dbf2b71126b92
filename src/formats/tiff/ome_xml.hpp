#pragma once
// OME-XML (the ImageDescription of an OME-TIFF, or a .companion.ome file) mapped to
// canonical T,C,Z planes. Pure: no file access; the TIFF driver resolves file references.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/dtype.hpp"
#include "strata/info.hpp"

namespace strata::tiff {

// A file a TiffData element points at. Both fields empty (files[0]) means "the file this
// XML came from": a TiffData without a UUID child, or whose UUID is OME/@UUID.
struct OmeFileRef {
  std::string uuid;       // "urn:uuid:…" text of <UUID>, empty when absent
  std::string file_name;  // FileName attribute of <UUID>, empty when absent
  friend bool operator==(const OmeFileRef&, const OmeFileRef&) = default;
};

// Where one (t, c, z) plane is stored.
struct OmePlane {
  std::int32_t file = -1;  // index into OmeImage::files; -1: no TiffData maps this plane
  std::uint32_t ifd = 0;   // IFD index within that file (0-based)
  friend bool operator==(const OmePlane&, const OmePlane&) = default;
};

struct OmeImage {
  // size_c counts C planes: SizeC / SamplesPerPixel for RGB channels.
  std::int64_t size_t = 1, size_c = 1, size_z = 1, size_y = 0, size_x = 0;
  std::string dimension_order;        // e.g. "XYZCT"
  std::optional<DType> dtype;         // from Pixels/@Type; nullopt for bit/float16/complex
  std::string type_name;              // Pixels/@Type as written, for error messages
  std::int64_t samples_per_pixel = 1; // Channel/@SamplesPerPixel (1 when absent)
  std::map<char, PhysicalSize> physical_sizes;  // 'X','Y','Z' (µm when no unit), 'T' from TimeIncrement
  std::vector<std::string> channel_names;       // Channel/@Name, "" when unnamed; one per channel
  std::vector<OmeFileRef> files;      // distinct file references, files[0] is always {} = this file
  // size_t * size_c * size_z entries, index (t * size_c + c) * size_z + z.
  std::vector<OmePlane> planes;
  friend bool operator==(const OmeImage&, const OmeImage&) = default;
};

struct OmeDocument {
  std::string uuid;                   // OME/@UUID: the UUID of the file this XML sits in
  std::string binary_only_metadata;   // BinaryOnly/@MetadataFile when the XML is a stub
  std::vector<OmeImage> images;       // one per <Image>; series 0 is images[0]
};

// Parses an OME-XML document (namespaces of any schema year; prefixed or not).
// Throws strata::Error (empty path; the driver adds it) when the XML is malformed or
// any image's Pixels lack sizes or map planes out of range. A stub with only BinaryOnly has no images.
OmeDocument parse_ome_xml(std::string_view xml);

// Plane order: the index into OmeImage::planes of the n-th plane in DimensionOrder
// sequence (e.g. "XYZCT": z fastest, then c, then t). Used for TiffData IFD runs.
std::size_t plane_index_in_order(const OmeImage& image, std::size_t n);

}  // namespace strata::tiff
