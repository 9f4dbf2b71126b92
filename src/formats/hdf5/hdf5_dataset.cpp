#include "formats/hdf5/hdf5_dataset.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <map>
#include <tuple>
#include <unordered_map>

#include "codecs/byte_order.hpp"
#include "formats/hdf5/api/attribute.hpp"
#include "formats/hdf5/api/dataset.hpp"
#include "formats/hdf5/api/dataspace.hpp"
#include "formats/hdf5/api/datatype.hpp"
#include "formats/hdf5/api/file.hpp"
#include "formats/hdf5/api/filter.hpp"
#include "formats/hdf5/api/object.hpp"
#include "formats/hdf5/api/property_list.hpp"
#include "formats/hdf5/external_files.hpp"
#include "formats/lazy_chunk_table.hpp"
#include "io/file.hpp"
#include "model/serialize.hpp"
#include "strata/dims.hpp"
#include "strata/error.hpp"
#include "strata/grid.hpp"

namespace strata::hdf5 {

using api::Id;

namespace {

using nlohmann::json;

// Up to this many stored chunks their addresses are listed (0.2 s at the limit here,
// 0.66 s for 8192); beyond it HDF5 finds each chunk when it is read (see lists_addresses).
constexpr std::uint64_t kAddressListLimit = 4096;
// Contiguous and compact datasets are cut into planes (one per index of the axes before
// Y and X), and planes larger than this into bands of rows, so ranks share the work.
constexpr std::uint64_t kPieceBytes = std::uint64_t{16} << 20;
constexpr unsigned char kSignature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
constexpr const char* kReadableTypes = "strata reads 8- to 64-bit integers, float32 and float64";

bool is_regular_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string shape_text(const Shape& shape) {
  std::string s;
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s.empty() ? "scalar" : s;
}

// ------------------------------------------------------------------ element types

struct ElementType {
  DType dtype = DType::uint8;
  bool big_endian = false;
  bool plain = true;        // bytes are the value: full precision, no padding, IEEE floats
  std::string unsupported;  // what the type is, when strata cannot read it
};

std::string class_name(H5T_class_t c) {
  switch (c) {
    case H5T_TIME:
      return "time";
    case H5T_STRING:
      return "string";
    case H5T_BITFIELD:
      return "bitfield";
    case H5T_OPAQUE:
      return "opaque";
    case H5T_COMPOUND:
      return "compound";
    case H5T_REFERENCE:
      return "reference";
    case H5T_VLEN:
      return "variable-length";
    case H5T_ARRAY:
      return "array";
    default:
      return "class " + std::to_string(static_cast<int>(c));
  }
}

ElementType classify(hid_t type, const std::string& path) {
  ElementType t;
  Id base_of_enum;
  hid_t base = type;
  if (api::type_class(type, path) == H5T_ENUM) {  // e.g. h5py's booleans: read as the base integers
    base_of_enum = api::type_super(type, path);
    base = base_of_enum.get();
  }
  const H5T_class_t cls = api::type_class(base, path);
  if (cls == H5T_INTEGER || cls == H5T_FLOAT) t.big_endian = api::type_is_big_endian(base, path);
  const std::size_t size = cls == H5T_INTEGER || cls == H5T_FLOAT ? api::type_size(base, path) : 0;
  if (cls == H5T_INTEGER) {
    if (size != 1 && size != 2 && size != 4 && size != 8) {
      t.unsupported = std::to_string(size * 8) + "-bit integer";
      return t;
    }
    t.dtype = dtype_from(api::type_is_signed(base, path) ? 'i' : 'u', static_cast<int>(size * 8));
    t.plain = api::type_precision(base, path) == size * 8 && api::type_offset(base, path) == 0;
    return t;
  }
  if (cls == H5T_FLOAT) {
    if (size != 4 && size != 8) {
      t.unsupported = size == 2 ? "float16" : std::to_string(size * 8) + "-bit float";
      return t;
    }
    t.dtype = size == 4 ? DType::float32 : DType::float64;
    t.plain = api::type_equal(base, api::little_endian_type(t.dtype), path) ||
              api::type_equal(base, api::big_endian_type(t.dtype), path);
    return t;
  }
  t.unsupported = class_name(cls);
  return t;
}

// ------------------------------------------------------------------ finding the dataset

struct Candidate {
  std::string name;
  Shape shape;
  ElementType type;
  bool null_space = false;  // no elements at all (not even a scalar)
  bool is_image() const { return type.unsupported.empty() && shape.size() >= 2 && element_count(shape) > 0; }
  std::string text() const {
    return name + " (" + (null_space ? "null" : shape_text(shape)) + " " +
           (type.unsupported.empty() ? std::string(strata::name(type.dtype)) : type.unsupported) + ")";
  }
};

Shape extent(hid_t space, const std::string& path) {
  const std::vector<hsize_t> dims = api::dataspace_dims(space, path);
  return Shape(dims.begin(), dims.end());
}

std::vector<Candidate> datasets_under(hid_t file, const std::string& file_path, const std::string& group) {
  const Id g = api::object_open(file, group, file_path);
  std::vector<Candidate> found;
  const std::string prefix = group == "/" ? "/" : group + "/";
  for (const auto& relative : api::object_datasets_below(g.get(), file_path)) {
    Candidate c{prefix + relative, {}, {}, false};
    const Id d = api::dataset_open(file, c.name, file_path);
    const Id type = api::dataset_type(d.get(), file_path);
    const Id space = api::dataset_space(d.get(), file_path);
    c.shape = extent(space.get(), file_path);
    c.null_space = api::dataspace_class(space.get(), file_path) == H5S_NULL;
    c.type = classify(type.get(), file_path);
    found.push_back(std::move(c));
  }
  return found;
}

std::string list(const std::vector<Candidate>& candidates, bool images_only) {
  constexpr std::size_t kShown = 20;
  std::string s;
  std::size_t shown = 0, total = 0;
  for (const auto& c : candidates) {
    if (images_only && !c.is_image()) continue;
    ++total;
    if (shown < kShown) s += (shown++ ? ", " : "") + c.text();
  }
  if (total > shown) s += ", ... (" + std::to_string(total - shown) + " more)";
  return s;
}

// ------------------------------------------------------------------ other files

// The refusal of a dataset that reads other files, when the user has not allowed it.
Error refused(const std::string& file, const std::string& what) {
  return Error(file, what + "; strata reads other files only when allowed (--allow-external, "
                            "OpenOptions::allow_external; docs/security.md)");
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& name : names) s += (s.empty() ? "\"" : ", \"") + name + "\"";
  return s;
}

// The files other than its own (".") that a virtual dataset's sources name, each once.
std::vector<std::string> other_source_files(const std::vector<api::VirtualSource>& sources) {
  std::vector<std::string> files;
  for (const auto& source : sources)
    if (source.file != "." && std::find(files.begin(), files.end(), source.file) == files.end())
      files.push_back(source.file);
  return files;
}

// How deep strata follows virtual datasets whose sources are virtual datasets of their own file.
constexpr int kVirtualDepth = 4;

// What `dataset` (in the open file `file`) reads besides that file, for a refusal: its
// external storage files, a virtual dataset's source files, and what the sources a virtual
// dataset takes from its own file ("."), themselves read (they may be external links,
// external storage or virtual datasets too). Empty when it reads nothing else.
std::string other_files_read(hid_t file, hid_t dataset, const std::string& path, int depth) {
  const Id dcpl = api::dataset_creation_plist(dataset, path);
  const H5D_layout_t layout = api::plist_layout(dcpl.get(), path);
  if (layout == H5D_CONTIGUOUS) {
    std::vector<std::string> names;
    for (const auto& slot : api::plist_external(dcpl.get(), path)) names.push_back(slot.name);
    return names.empty() ? "" : "keeps its elements in other files (external storage): " + quoted_list(names);
  }
  if (layout != H5D_VIRTUAL) return "";
  const std::vector<api::VirtualSource> sources = api::plist_virtual_sources(dcpl.get(), path);
  if (const std::vector<std::string> others = other_source_files(sources); !others.empty()) return "is a virtual dataset reading other files: " + quoted_list(others);
  for (const auto& source : sources) {
    if (depth == 0) return "is a virtual dataset whose sources nest more than " + std::to_string(kVirtualDepth) + " deep";
    Id opened;
    try {
      opened = api::dataset_open(file, source.dataset, path);
    } catch (const Error&) {
      continue;  // not there (or a name pattern): HDF5 reads the fill value, nothing else
    }
    const std::string via = "is a virtual dataset whose source " + source.dataset + " ";
    if (!api::object_same_file(file, opened.get(), path)) {
      const Id other = api::object_file(opened.get(), path);
      return via + "lies in another file, \"" + api::file_name(other.get(), path) + "\"";
    }
    if (std::string what = other_files_read(file, opened.get(), path, depth - 1); !what.empty()) return via + what;
  }
  return "";
}

// Every file an external-storage dataset in `holder` reads, where HDF5 finds it, must hold
// the bytes its slot names: HDF5 reads what a short file lacks as zeros, and fails on a
// missing one without naming it.
void check_external_storage(const std::vector<api::ExternalSlot>& slots, const std::string& holder,
                            const Dataset& d, const std::string& context) {
  std::uint64_t remaining = d.info.decoded_bytes();
  for (const auto& slot : slots) {
    if (remaining == 0) break;
    const std::uint64_t used = std::min<std::uint64_t>(slot.size, remaining);  // H5F_UNLIMITED: the rest
    const std::string path = external_storage_path(holder, slot.name, std::getenv("HDF5_EXTFILE_PREFIX"));
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      throw Error(d.file, context + ": its external storage file \"" + slot.name + "\" (" + path +
                              ") is missing or not a regular file");
    if (static_cast<std::uint64_t>(st.st_size) < slot.offset + used)
      throw Error(d.file, context + ": its external storage file \"" + slot.name + "\" (" + path + ") holds " +
                              std::to_string(st.st_size) + " bytes, but the dataset's bytes " +
                              std::to_string(d.info.decoded_bytes() - remaining) + "-" +
                              std::to_string(d.info.decoded_bytes() - remaining + used) + " lie at its bytes " +
                              std::to_string(slot.offset) + "-" + std::to_string(slot.offset + used) +
                              " (HDF5 would read zeros)");
    remaining -= used;
  }
  if (remaining > 0)
    throw Error(d.file, context + ": its external storage holds " + std::to_string(d.info.decoded_bytes() - remaining) +
                            " of its " + std::to_string(d.info.decoded_bytes()) + " bytes");
}

// The other files a virtual dataset in `holder` maps ("." is the file itself), where HDF5
// finds them; each must exist, or HDF5 reads its part as the fill value.
void check_virtual_sources(const std::vector<std::string>& files, const std::string& holder, const Dataset& d,
                           const std::string& context) {
  for (const auto& name : files) {
    const auto paths = search_paths(holder, name, std::getenv("HDF5_VDS_PREFIX"));
    if (std::none_of(paths.begin(), paths.end(), is_regular_file))
      throw Error(d.file, context + ": its source file \"" + name + "\" is missing (looked for at " +
                              quoted_list(paths) + "); HDF5 would read the fill value there");
  }
}

// The dataset `object` names, or the only image dataset in the file or group it names.
std::string pick_dataset(hid_t file, const Location& where, bool allow_external) {
  std::string group = "/";
  if (!where.object.empty() && where.object != "/") {
    // Refused before HDF5 opens the other file; links further down are caught in describe.
    if (!allow_external)
      if (const auto link = api::link_external_target(file, where.object, where.file))
        throw refused(where.file, where.object + " is an external link to " + link->object + " in \"" + link->file + "\"");
    const std::optional<H5O_type_t> type = api::object_type(file, where.object);
    if (!type) throw Error(where.file, "no object " + where.object + " in the file");
    if (*type == H5O_TYPE_DATASET) return where.object;
    if (*type != H5O_TYPE_GROUP) throw Error(where.file, where.object + " is not a dataset or group");
    group = where.object;
  }
  const std::vector<Candidate> all = datasets_under(file, where.file, group);
  const auto images = std::count_if(all.begin(), all.end(), [](const Candidate& c) { return c.is_image(); });
  const std::string place = group == "/" ? "the file" : "group " + group;
  if (images == 1) return std::find_if(all.begin(), all.end(), [](const Candidate& c) { return c.is_image(); })->name;
  if (images > 1)
    throw Error(where.file, place + " holds " + std::to_string(images) +
                                " image datasets; name one as FILE:/path: " + list(all, true));
  throw Error(where.file, place + " holds no image dataset (numeric, 2 or more dimensions)" +
                              (all.empty() ? std::string() : "; its datasets: " + list(all, false)));
}

// ------------------------------------------------------------------ metadata

// Attributes read without failing the open: nullopt when absent, of another kind or
// unreadable (an empty attribute reads as no values).
std::optional<std::vector<std::string>> string_attribute(hid_t object, const char* name, const std::string& path) {
  try {
    if (!api::attribute_exists(object, name, path)) return std::nullopt;
    const Id attribute = api::attribute_open(object, name, path);
    const Id type = api::attribute_type(attribute.get(), path);
    if (api::type_class(type.get(), path) != H5T_STRING) return std::nullopt;
    return api::attribute_read_strings(attribute.get(), type.get(), path);
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::optional<std::vector<double>> number_attribute(hid_t object, const char* name, const std::string& path) {
  try {
    if (!api::attribute_exists(object, name, path)) return std::nullopt;
    const Id attribute = api::attribute_open(object, name, path);
    const Id type = api::attribute_type(attribute.get(), path);
    const H5T_class_t cls = api::type_class(type.get(), path);
    if (cls != H5T_INTEGER && cls != H5T_FLOAT) return std::nullopt;
    return api::attribute_read_doubles(attribute.get(), path);
  } catch (const Error&) {
    return std::nullopt;
  }
}

// Dims from dimension-scale labels (DIMENSION_LABELS, see api::dimension_label_set) when
// every axis has a one-letter label and no letter repeats.
std::optional<std::string> labelled_dims(hid_t dataset, std::size_t rank, const std::string& path) {
  const auto labels = string_attribute(dataset, "DIMENSION_LABELS", path);
  if (!labels || labels->size() != rank) return std::nullopt;
  std::string letters;
  for (const auto& label : *labels) {
    if (label.size() != 1 || !std::isalpha(static_cast<unsigned char>(label[0]))) return std::nullopt;
    letters += label[0];
  }
  try {
    return normalize_dims(letters);
  } catch (const Error&) {
    return std::nullopt;
  }
}

Pipeline read_pipeline(hid_t dcpl, const std::string& file) {
  Pipeline pipeline;
  const int count = api::plist_filter_count(dcpl, file);
  for (int i = 0; i < count; ++i) {
    std::vector<unsigned> values;
    const int id = api::plist_filter(dcpl, static_cast<unsigned>(i), values, file);
    pipeline.push_back(Filter{id, std::move(values)});
  }
  return pipeline;
}

std::vector<std::uint8_t> fill_value(hid_t dataset, hid_t dcpl, const ElementType& type, const std::string& file) {
  std::vector<std::uint8_t> fill(size_of(type.dtype), 0);
  if (!api::plist_fill_value_defined(dcpl, file)) return fill;
  const Id file_type = api::dataset_type(dataset, file);
  if (api::type_class(file_type.get(), file) == H5T_ENUM) {  // no enum-to-integer conversion: raw bytes
    api::plist_fill_value(dcpl, file_type.get(), fill.data(), file);
    if (type.big_endian) codecs::swap_bytes({reinterpret_cast<std::byte*>(fill.data()), fill.size()}, fill.size());
  } else {
    api::plist_fill_value(dcpl, api::little_endian_type(type.dtype), fill.data(), file);
  }
  return fill;
}

// ------------------------------------------------------------------ chunk tables

class Encodings {
 public:
  explicit Encodings(ChunkTable& table) : table_(table) {}
  std::uint32_t operator()(const std::string& codec) {
    auto [it, added] = index_.emplace(codec, static_cast<std::uint32_t>(table_.codecs.size()));
    if (added) table_.codecs.push_back(codec);
    return it->second;
  }

 private:
  ChunkTable& table_;
  std::map<std::string, std::uint32_t> index_;
};

// Calls fn(box) for each block of `block` shape tiling `shape`, in C order (edge blocks clipped).
template <typename Fn>
void for_each_block(const Shape& shape, const Shape& block, Fn&& fn) {
  const ChunkGrid grid{shape, block};
  const Box positions = Box::whole(grid.extent());
  Index at = positions.start;
  do fn(grid.box(at));
  while (next_in(at, positions));
}

// Planes (one per index of the axes before the last two), cut into bands of rows when a
// plane is larger than kPieceBytes; rank 1 and 2 arrays are cut into bands of their first axis.
Shape piece_shape(const Shape& shape, std::size_t element_size) {
  Shape piece = shape;
  const std::size_t rank = shape.size();
  const std::size_t band_axis = rank >= 2 ? rank - 2 : 0;
  for (std::size_t i = 0; i < band_axis; ++i) piece[i] = 1;
  std::uint64_t row_bytes = element_size;
  for (std::size_t i = band_axis + 1; i < rank; ++i) row_bytes *= static_cast<std::uint64_t>(shape[i]);
  const auto rows = static_cast<std::int64_t>(std::max<std::uint64_t>(1, kPieceBytes / row_bytes));
  piece[band_axis] = std::min(piece[band_axis], rows);
  return piece;
}

// Contiguous, compact and library-read datasets: pieces of the array. `address` is the
// contiguous data's file address (kNoAddress when strata does not read it by address);
// `stored` says whether the data exists (a contiguous dataset never written has none).
void list_pieces(const Dataset& d, std::uint64_t address, bool stored, const std::string& codec, ChunkTable& table) {
  const std::size_t element = size_of(d.info.dtype);
  const std::uint32_t encoding = Encodings(table)(codec);
  for_each_block(d.info.shape, piece_shape(d.info.shape, element), [&](const Box& box) {
    ChunkRef c;
    c.box = box;
    c.encoding = encoding;
    const std::uint64_t bytes = static_cast<std::uint64_t>(box.count()) * element;
    if (stored) {
      const std::uint64_t offset =
          address == kNoAddress ? kNoAddress
                                : address + static_cast<std::uint64_t>(linear_index(box.start, d.info.shape)) * element;
      c.segments = {ByteRange{offset, bytes}};
    }
    table.chunks.push_back(std::move(c));
  });
}

// What to add to the chunk addresses HDF5 reports to get file offsets: before 1.14.4 they
// are relative to the superblock, which a user block moves (HDFGroup/hdf5#3003);
// H5Dget_offset has always been absolute.
std::uint64_t chunk_address_base(hid_t file, const std::string& path) {
  if (api::library_version(path) >= std::make_tuple(1u, 14u, 4u)) return 0;
  const Id creation = api::file_creation_plist(file, path);
  return api::plist_user_block(creation.get(), path);
}

struct StoredChunk {
  std::uint64_t address = 0;
  std::uint64_t size = 0;
  unsigned filter_mask = 0;
};

// Every stored chunk's address, size and filter mask, by its position in the chunk grid.
std::unordered_map<std::int64_t, StoredChunk> stored_chunks(hid_t dataset, const Dataset& d, std::uint64_t count,
                                                            std::uint64_t address_base) {
  const Id space = api::dataset_space(dataset, d.file);
  std::unordered_map<std::int64_t, StoredChunk> found;
  found.reserve(count);
  const ChunkGrid grid{d.info.shape, d.chunk_shape};
  const Shape extent = grid.extent();
  std::vector<hsize_t> offset(d.chunk_shape.size());
  for (std::uint64_t i = 0; i < count; ++i) {
    const api::ChunkInfo info = api::dataset_chunk_info(dataset, space.get(), i, offset, d.file);
    const StoredChunk s{address_base + info.address, info.size, info.filter_mask};
    found[linear_index(grid.position(Index(offset.begin(), offset.end())), extent)] = s;
  }
  return found;
}

// ------------------------------------------------------------------ the description

std::string missing_filters(const Pipeline& pipeline) {
  std::string missing;
  for (const auto& f : pipeline)
    if (!api::filter_available(f.id) && !decodes(f.id))
      missing += (missing.empty() ? "" : ", ") + filter_name(f.id) + " (id " + std::to_string(f.id) + ")";
  return missing;
}

std::vector<std::uint8_t> read_all(hid_t dataset, const Dataset& d) {
  std::vector<std::uint8_t> data(d.info.decoded_bytes());
  const Id file_type = api::dataset_type(dataset, d.file);
  const bool raw = api::type_class(file_type.get(), d.file) == H5T_ENUM;
  api::dataset_read(dataset, raw ? file_type.get() : api::little_endian_type(d.info.dtype), data.data(), d.file);
  if (raw && d.swap_bytes)
    codecs::swap_bytes({reinterpret_cast<std::byte*>(data.data()), data.size()}, size_of(d.info.dtype));
  return data;
}

}  // namespace

void list_chunks(hid_t dataset, const Dataset& d, const Box& region, ChunkTable& table) {
  const ChunkGrid grid{d.info.shape, d.chunk_shape};
  const std::optional<Box> positions = grid.meeting(region);
  if (!positions) return;
  if (positions->count() > max_listed_chunks)
    throw Error(d.file, d.name + ": a read meeting " + std::to_string(positions->count()) +
                            " chunks; strata lists at most " + std::to_string(max_listed_chunks) + " at once");
  Encodings encodings(table);
  const bool by_address = d.access == Access::chunks_by_address;
  // By address (at most kAddressListLimit stored chunks) every stored chunk is listed, whatever
  // the region: H5Dget_chunk_info_by_coord walks the index as H5Dget_chunk_info does. Otherwise
  // each chunk the region meets is looked up by its coordinates, in O(log n).
  std::unordered_map<std::int64_t, StoredChunk> stored;
  if (by_address) {
    const Id space = api::dataset_space(dataset, d.file);
    stored = stored_chunks(dataset, d, api::dataset_chunk_count(dataset, space.get(), d.file),
                           chunk_address_base(api::object_file(dataset, d.file).get(), d.file));
  }
  const std::string usual_codec = codec_name(d.pipeline, 0);
  const Shape extent = grid.extent();
  table.chunks.reserve(table.chunks.size() + static_cast<std::size_t>(positions->count()));
  std::vector<hsize_t> offset(d.chunk_shape.size());
  Index at = positions->start;
  do {
    ChunkRef c;
    c.box = grid.box(at);
    c.encoding = encodings(usual_codec);
    if (by_address) {
      if (const auto it = stored.find(linear_index(at, extent)); it != stored.end()) {
        c.segments = {ByteRange{it->second.address, it->second.size}};
        c.filter_mask = it->second.filter_mask;
        c.encoding = encodings(codec_name(d.pipeline, it->second.filter_mask));
      }
    } else {
      std::copy(c.box.start.begin(), c.box.start.end(), offset.begin());
      // 0 bytes: never written.
      if (const std::uint64_t size = api::dataset_chunk_storage_size(dataset, offset, d.file); size > 0)
        c.segments = {ByteRange{kNoAddress, size}};
    }
    table.chunks.push_back(std::move(c));
  } while (next_in(at, *positions));
}

std::optional<Location> split_location(const std::string& spec) {
  if (is_regular_file(spec)) return Location{spec, ""};
  for (auto at = spec.find(":/"); at != std::string::npos; at = spec.find(":/", at + 1)) {
    std::string file = spec.substr(0, at);
    if (!file.empty() && is_regular_file(file)) {
      std::string object = spec.substr(at + 1);
      while (object.size() > 1 && object.back() == '/') object.pop_back();
      return Location{std::move(file), std::move(object)};
    }
  }
  return std::nullopt;
}

bool has_hdf5_signature(const std::string& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return false;
  const io::File f(file);
  try {
    for (std::uint64_t at = 0; at + sizeof kSignature <= static_cast<std::uint64_t>(st.st_size);
         at = at ? at * 2 : 512) {
      std::array<std::byte, sizeof kSignature> head;
      f.read_at(head, at);
      if (std::memcmp(head.data(), kSignature, sizeof kSignature) == 0) return true;
    }
  } catch (const Error&) {  // unreadable: not HDF5 as far as recognizing goes
  }
  return false;
}

bool lists_addresses(std::uint64_t chunk_count) noexcept { return chunk_count <= kAddressListLimit; }

std::pair<Dataset, ChunkTable> describe(const std::string& spec, bool allow_external) {
  const std::optional<Location> where = split_location(spec);
  if (!where) throw Error(spec, "no such file");
  const std::string& file_path = where->file;
  auto lock = api::hdf5_lock();  // declared first: released after every Id below is closed
  const Id file = api::file_open_readonly(file_path);
  Dataset d;
  d.file = file_path;
  d.data_file = file_path;
  d.name = pick_dataset(file.get(), *where, allow_external);
  const std::string context = "dataset " + d.name;
  const Id dataset = api::dataset_open(file.get(), d.name, file_path);
  // A dataset an external link led to (the one named, or a group on the way) lies in
  // another file: its addresses are that file's.
  const Id data_file = api::object_file(dataset.get(), file_path);
  if (!api::object_same_file(file.get(), dataset.get(), file_path)) {
    d.data_file = api::file_name(data_file.get(), file_path);
    if (!allow_external)
      throw refused(file_path, context + " lies in another file, \"" + d.data_file + "\", reached through an external link");
  }
  if (!allow_external)
    if (const std::string what = other_files_read(data_file.get(), dataset.get(), file_path, kVirtualDepth);
        !what.empty())
      throw refused(file_path, context + " " + what);

  const Id type = api::dataset_type(dataset.get(), file_path);
  const ElementType element = classify(type.get(), file_path);
  if (!element.unsupported.empty())
    throw Error(file_path,
                context + ": element type " + element.unsupported + " is not supported (" + kReadableTypes + ")");
  const Id space = api::dataset_space(dataset.get(), file_path);
  switch (api::dataspace_class(space.get(), file_path)) {
    case H5S_NULL:
      throw Error(file_path, context + " has no elements (null dataspace)");
    case H5S_SCALAR:
      throw Error(file_path, context + " is a scalar, not an array");
    default:
      break;
  }
  d.info.format = "hdf5";
  d.info.shape = extent(space.get(), file_path);
  d.info.dtype = element.dtype;
  if (d.info.decoded_bytes() == 0)
    throw Error(file_path, context + " is empty (shape " + shape_text(d.info.shape) + ")");
  try {
    d.info.dims =
        labelled_dims(dataset.get(), d.info.shape.size(), file_path).value_or(default_dims(d.info.shape.size()));
  } catch (const Error& e) {
    throw Error(file_path, context + ": " + e.cause());
  }
  // Vigra / ilastik store voxel sizes in micrometers, one per axis; strata's own .h5 output
  // (like BigDataViewer-style files) stores one per spatial axis, in Z, Y, X order.
  if (const auto sizes = number_attribute(dataset.get(), "element_size_um", file_path)) {
    std::string spatial;
    for (const char letter : d.info.dims)
      if (letter == 'Z' || letter == 'Y' || letter == 'X') spatial += letter;
    const std::string& axes = sizes->size() == d.info.dims.size() ? d.info.dims : spatial;
    if (sizes->size() == axes.size())
      for (std::size_t i = 0; i < sizes->size(); ++i) d.info.physical_sizes[axes[i]] = {(*sizes)[i], "µm"};
  }
  d.swap_bytes = element.big_endian;

  const Id dcpl = api::dataset_creation_plist(dataset.get(), file_path);
  d.fill = fill_value(dataset.get(), dcpl.get(), element, file_path);
  ChunkTable table;
  table.files = {d.data_file};
  table.fill = d.fill;
  const H5D_layout_t layout = api::plist_layout(dcpl.get(), file_path);
  if (layout == H5D_COMPACT) {
    d.info.storage = "compact";
    d.access = Access::in_state;
    d.data = read_all(dataset.get(), d);
    list_pieces(d, kNoAddress, true, "raw", table);
  } else if (layout == H5D_CONTIGUOUS) {
    d.info.storage = "contiguous";
    const std::vector<api::ExternalSlot> slots = api::plist_external(dcpl.get(), file_path);
    const auto external = slots.size();
    if (external > 0) check_external_storage(slots, d.data_file, d, context);  // allowed: refused above otherwise
    const std::optional<std::uint64_t> address = api::dataset_offset(dataset.get());
    const bool stored = external > 0 || address;
    d.access = external == 0 && element.plain ? Access::contiguous : Access::library;
    list_pieces(d, d.access == Access::contiguous && address ? *address : kNoAddress, stored,
                external > 0 ? "external" : "raw", table);
    // Raw bytes in the file: any box of a piece reads as its own rows.
    if (d.access == Access::contiguous) table.partial_block.assign(d.info.shape.size(), 1);
  } else if (layout == H5D_CHUNKED) {
    d.info.storage = "chunked";
    const std::vector<hsize_t> chunk = api::plist_chunk(dcpl.get(), d.info.shape.size(), file_path);
    d.chunk_shape.assign(chunk.begin(), chunk.end());
    table.chunk_shape = d.chunk_shape;
    d.pipeline = read_pipeline(dcpl.get(), file_path);
    if (const std::string missing = missing_filters(d.pipeline); !missing.empty())
      throw Error(file_path,
                  context + ": filter " + missing +
                      " is not available (strata decodes deflate, shuffle, fletcher32, lzf, blosc and zstd)");
    const bool decodable = element.plain && std::all_of(d.pipeline.begin(), d.pipeline.end(),
                                                        [](const Filter& f) { return decodes(f.id); });
    const std::uint64_t count = api::dataset_chunk_count(dataset.get(), space.get(), file_path);
    d.access = !decodable               ? Access::library
               : lists_addresses(count) ? Access::chunks_by_address
                                        : Access::chunks_by_lookup;
    if (d.access == Access::library) {
      // HDF5 then applies every filter, also those only strata decodes (lzf, zstd).
      const std::string why = element.plain ? "a filter strata does not decode" : "an element type with padding bits";
      for (const auto& f : d.pipeline)
        if (!api::filter_available(f.id))
          throw Error(file_path, context + " needs HDF5 to read it (" + why + "), and HDF5 lacks filter " +
                                     filter_name(f.id) + " (id " + std::to_string(f.id) + ")");
    }
    // Listed when asked for, only where a read needs them (Hdf5Driver::chunks_for).
  } else if (layout == H5D_VIRTUAL) {
    d.info.storage = "virtual";
    // Other files here are allowed (refused above otherwise).
    check_virtual_sources(other_source_files(api::plist_virtual_sources(dcpl.get(), file_path)), d.data_file, d,
                          context);
    d.access = Access::library;
    list_pieces(d, kNoAddress, true, "virtual", table);
  } else {
    throw Error(file_path, context + ": unknown storage layout " + std::to_string(static_cast<int>(layout)));
  }
  return {std::move(d), std::move(table)};
}

// ------------------------------------------------------------------ serialization

namespace {
constexpr const char* kAccessNames[] = {"contiguous", "chunks_by_address", "chunks_by_lookup", "in_state", "library"};
}

void to_json(json& j, const Dataset& d) {
  json pipeline = json::array();
  for (const auto& f : d.pipeline) pipeline.push_back(json{f.id, f.params});
  j = json{{"file", d.file},
           {"data_file", d.data_file},
           {"name", d.name},
           {"info", d.info},
           {"access", kAccessNames[static_cast<int>(d.access)]},
           {"chunk_shape", d.chunk_shape},
           {"pipeline", pipeline},
           {"swap_bytes", d.swap_bytes},
           {"fill", json::binary(d.fill)},
           {"data", json::binary(d.data)}};
}

void from_json(const json& j, Dataset& d) {
  j.at("file").get_to(d.file);
  j.at("data_file").get_to(d.data_file);
  j.at("name").get_to(d.name);
  j.at("info").get_to(d.info);
  const auto access = j.at("access").get<std::string>();
  const auto* found = std::find(std::begin(kAccessNames), std::end(kAccessNames), access);
  if (found == std::end(kAccessNames)) throw Error(d.file, "corrupt hdf5 driver state: access '" + access + "'");
  d.access = static_cast<Access>(found - std::begin(kAccessNames));
  j.at("chunk_shape").get_to(d.chunk_shape);
  d.pipeline.clear();
  for (const auto& f : j.at("pipeline"))
    d.pipeline.push_back(Filter{f.at(0).get<int>(), f.at(1).get<std::vector<unsigned>>()});
  j.at("swap_bytes").get_to(d.swap_bytes);
  d.fill = j.at("fill").get_binary();
  d.data = j.at("data").get_binary();
}

}  // namespace strata::hdf5
