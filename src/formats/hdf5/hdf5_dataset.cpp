#include "formats/hdf5/hdf5_dataset.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <tuple>
#include <unordered_map>

#include "codecs/byte_order.hpp"
#include "formats/hdf5/hdf5_api.hpp"
#include "model/serialize.hpp"
#include "strata/dims.hpp"
#include "strata/error.hpp"

namespace strata::hdf5 {
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

ElementType classify(hid_t type) {
  ElementType t;
  Id base_of_enum;
  hid_t base = type;
  if (H5Tget_class(type) == H5T_ENUM) {  // e.g. h5py's booleans: read as the base integers
    base_of_enum = Id(H5Tget_super(type));
    base = base_of_enum.get();
  }
  const H5T_class_t cls = H5Tget_class(base);
  const std::size_t size = H5Tget_size(base);
  t.big_endian = H5Tget_order(base) == H5T_ORDER_BE;
  if (cls == H5T_INTEGER) {
    if (size != 1 && size != 2 && size != 4 && size != 8) {
      t.unsupported = std::to_string(size * 8) + "-bit integer";
      return t;
    }
    t.dtype = dtype_from(H5Tget_sign(base) == H5T_SGN_2 ? 'i' : 'u', static_cast<int>(size * 8));
    t.plain = H5Tget_precision(base) == size * 8 && H5Tget_offset(base) == 0;
    return t;
  }
  if (cls == H5T_FLOAT) {
    if (size != 4 && size != 8) {
      t.unsupported = size == 2 ? "float16" : std::to_string(size * 8) + "-bit float";
      return t;
    }
    t.dtype = size == 4 ? DType::float32 : DType::float64;
    const hid_t le = size == 4 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
    const hid_t be = size == 4 ? H5T_IEEE_F32BE : H5T_IEEE_F64BE;
    t.plain = H5Tequal(base, le) > 0 || H5Tequal(base, be) > 0;
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

Shape extent(hid_t space) {
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return Shape(dims.begin(), dims.end());
}

herr_t collect_dataset(hid_t, const char* name, const H5O_info_t* info, void* data) {
  if (info->type == H5O_TYPE_DATASET) static_cast<std::vector<std::string>*>(data)->push_back(name);
  return 0;
}

std::vector<Candidate> datasets_under(hid_t file, const std::string& file_path, const std::string& group) {
  Id g(check(H5Oopen(file, group.c_str(), H5P_DEFAULT), file_path, "cannot open group"));
  std::vector<std::string> names;
  check(H5Ovisit2(g.get(), H5_INDEX_NAME, H5_ITER_INC, collect_dataset, &names, H5O_INFO_BASIC), file_path,
        "cannot list the datasets");
  std::vector<Candidate> found;
  const std::string prefix = group == "/" ? "/" : group + "/";
  for (const auto& relative : names) {
    Candidate c{prefix + relative, {}, {}, false};
    Id d(check(H5Dopen2(file, c.name.c_str(), H5P_DEFAULT), file_path, "cannot open dataset"));
    Id type(check(H5Dget_type(d.get()), file_path, "cannot read a dataset's type"));
    Id space(check(H5Dget_space(d.get()), file_path, "cannot read a dataset's shape"));
    c.shape = extent(space.get());
    c.null_space = H5Sget_simple_extent_type(space.get()) == H5S_NULL;
    c.type = classify(type.get());
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

// The dataset `object` names, or the only image dataset in the file or group it names.
std::string pick_dataset(hid_t file, const Location& where) {
  std::string group = "/";
  if (!where.object.empty() && where.object != "/") {
    H5O_info_t info{};
    if (H5Oget_info_by_name2(file, where.object.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) {
      H5Eclear2(H5E_DEFAULT);
      throw Error(where.file, "no object " + where.object + " in the file");
    }
    if (info.type == H5O_TYPE_DATASET) return where.object;
    if (info.type != H5O_TYPE_GROUP) throw Error(where.file, where.object + " is not a dataset or group");
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

// An attribute read without failing the open: nullopt when absent or unreadable.
std::optional<std::vector<std::string>> string_attribute(hid_t object, const char* name) {
  if (H5Aexists(object, name) <= 0) return std::nullopt;
  Id attr(H5Aopen(object, name, H5P_DEFAULT));
  Id type(attr ? H5Aget_type(attr.get()) : H5I_INVALID_HID);
  Id space(attr ? H5Aget_space(attr.get()) : H5I_INVALID_HID);
  if (!type || !space || H5Tget_class(type.get()) != H5T_STRING) return std::nullopt;
  const hssize_t count = H5Sget_simple_extent_npoints(space.get());
  if (count <= 0) return std::nullopt;
  std::vector<std::string> values(static_cast<std::size_t>(count));
  Id memory(H5Tcopy(H5T_C_S1));
  if (H5Tis_variable_str(type.get()) > 0) {
    H5Tset_size(memory.get(), H5T_VARIABLE);
    std::vector<char*> strings(values.size(), nullptr);
    if (H5Aread(attr.get(), memory.get(), strings.data()) < 0) return std::nullopt;
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = strings[i] ? strings[i] : "";
    H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, strings.data());
  } else {
    const std::size_t size = H5Tget_size(type.get());
    H5Tset_size(memory.get(), size);
    std::vector<char> buffer(size * values.size());
    if (H5Aread(attr.get(), memory.get(), buffer.data()) < 0) return std::nullopt;
    for (std::size_t i = 0; i < values.size(); ++i) {
      const char* s = buffer.data() + i * size;
      values[i].assign(s, strnlen(s, size));
    }
  }
  return values;
}

std::optional<std::vector<double>> number_attribute(hid_t object, const char* name) {
  if (H5Aexists(object, name) <= 0) return std::nullopt;
  Id attr(H5Aopen(object, name, H5P_DEFAULT));
  Id type(attr ? H5Aget_type(attr.get()) : H5I_INVALID_HID);
  Id space(attr ? H5Aget_space(attr.get()) : H5I_INVALID_HID);
  if (!type || !space) return std::nullopt;
  const H5T_class_t cls = H5Tget_class(type.get());
  const hssize_t count = H5Sget_simple_extent_npoints(space.get());
  if ((cls != H5T_INTEGER && cls != H5T_FLOAT) || count <= 0) return std::nullopt;
  std::vector<double> values(static_cast<std::size_t>(count));
  if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, values.data()) < 0) return std::nullopt;
  return values;
}

// Dims from dimension-scale labels (H5DSset_label writes DIMENSION_LABELS) when every
// axis has a one-letter label and no letter repeats.
std::optional<std::string> labelled_dims(hid_t dataset, std::size_t rank) {
  const auto labels = string_attribute(dataset, "DIMENSION_LABELS");
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
  const int count = check(H5Pget_nfilters(dcpl), file, "cannot read the filter pipeline");
  for (int i = 0; i < count; ++i) {
    unsigned flags = 0, config = 0;
    std::vector<unsigned> values(32);
    std::size_t n = values.size();
    char name[64];
    const H5Z_filter_t id =
        check(H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &n, values.data(), sizeof name, name, &config),
              file, "cannot read the filter pipeline");
    values.resize(std::min(n, values.size()));
    pipeline.push_back(Filter{static_cast<int>(id), std::move(values)});
  }
  return pipeline;
}

std::vector<std::uint8_t> fill_value(hid_t dataset, hid_t dcpl, const ElementType& type, const std::string& file) {
  std::vector<std::uint8_t> fill(size_of(type.dtype), 0);
  H5D_fill_value_t status{};
  check(H5Pfill_value_defined(dcpl, &status), file, "cannot read the fill value");
  if (status == H5D_FILL_VALUE_UNDEFINED) return fill;
  Id file_type(check(H5Dget_type(dataset), file, "cannot read the element type"));
  if (H5Tget_class(file_type.get()) == H5T_ENUM) {  // no enum-to-integer conversion: raw bytes
    check(H5Pget_fill_value(dcpl, file_type.get(), fill.data()), file, "cannot read the fill value");
    if (type.big_endian) codecs::swap_bytes({reinterpret_cast<std::byte*>(fill.data()), fill.size()}, fill.size());
  } else {
    check(H5Pget_fill_value(dcpl, little_endian_type(type.dtype), fill.data()), file, "cannot read the fill value");
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
  const std::size_t rank = shape.size();
  std::vector<std::int64_t> start(rank, 0);
  while (true) {
    Box box{start, start};
    for (std::size_t i = 0; i < rank; ++i) box.stop[i] = std::min(start[i] + block[i], shape[i]);
    fn(box);
    std::size_t i = rank;
    while (i-- > 0) {
      start[i] += block[i];
      if (start[i] < shape[i]) break;
      start[i] = 0;
    }
    if (i == static_cast<std::size_t>(-1)) return;
  }
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

std::int64_t linear_index(const std::vector<std::int64_t>& at, const Shape& shape) {
  std::int64_t index = 0;
  for (std::size_t i = 0; i < shape.size(); ++i) index = index * shape[i] + at[i];
  return index;
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

struct StoredChunk {
  std::uint64_t address = 0;
  std::uint64_t size = 0;
  unsigned filter_mask = 0;
};

// What to add to the chunk addresses HDF5 reports to get file offsets: before 1.14.4 they
// are relative to the superblock, which a user block moves (HDFGroup/hdf5#3003);
// H5Dget_offset has always been absolute.
std::uint64_t chunk_address_base(hid_t file, const std::string& path) {
  unsigned major = 0, minor = 0, release = 0;
  check(H5get_libversion(&major, &minor, &release), path, "HDF5: cannot read the library version");
  if (std::tie(major, minor, release) >= std::make_tuple(1u, 14u, 4u)) return 0;
  Id creation(check(H5Fget_create_plist(file), path, "cannot read the file creation properties"));
  hsize_t user_block = 0;
  check(H5Pget_userblock(creation.get(), &user_block), path, "cannot read the user block size");
  return user_block;
}

// Every stored chunk's address, size and filter mask, by its position in the chunk grid.
std::unordered_map<std::int64_t, StoredChunk> stored_chunks(hid_t dataset, const Dataset& d, std::uint64_t count,
                                                            std::uint64_t address_base) {
  Id space(check(H5Dget_space(dataset), d.file, "cannot read the dataspace"));
  std::unordered_map<std::int64_t, StoredChunk> found;
  found.reserve(count);
  const std::size_t rank = d.chunk_shape.size();
  Shape grid(rank);
  for (std::size_t i = 0; i < rank; ++i) grid[i] = (d.info.shape[i] + d.chunk_shape[i] - 1) / d.chunk_shape[i];
  std::vector<hsize_t> offset(rank);
  std::vector<std::int64_t> position(rank);
  for (std::uint64_t i = 0; i < count; ++i) {
    StoredChunk s;
    haddr_t address = 0;
    hsize_t size = 0;
    check(H5Dget_chunk_info(dataset, space.get(), i, offset.data(), &s.filter_mask, &address, &size), d.file,
          "cannot list the chunks");
    s.address = address_base + address;
    s.size = size;
    for (std::size_t k = 0; k < rank; ++k) position[k] = static_cast<std::int64_t>(offset[k]) / d.chunk_shape[k];
    found[linear_index(position, grid)] = s;
  }
  return found;
}

// The stored size of the chunk at `offset`, found by HDF5 in O(log n); 0 when the chunk
// was never written (HDF5 1.10 fails with this message then, later versions return 0).
hsize_t chunk_storage_size(hid_t dataset, const std::vector<hsize_t>& offset, const std::string& path) {
  hsize_t size = 0;
  if (H5Dget_chunk_storage_size(dataset, offset.data(), &size) >= 0) return size;
  const std::string why = error_stack_message();
  if (why == "chunk storage is not allocated") return 0;
  throw Error(path, "cannot look up a chunk: " + why);
}

void list_chunks(hid_t file, hid_t dataset, const Dataset& d, std::uint64_t count, ChunkTable& table) {
  Encodings encodings(table);
  const bool by_address = d.access == Access::chunks_by_address;
  const auto stored = by_address ? stored_chunks(dataset, d, count, chunk_address_base(file, d.file))
                                 : std::unordered_map<std::int64_t, StoredChunk>{};
  const std::string usual_codec = codec_name(d.pipeline, 0);
  std::int64_t position = 0;
  std::vector<hsize_t> offset(d.chunk_shape.size());
  for_each_block(d.info.shape, d.chunk_shape, [&](const Box& box) {
    ChunkRef c;
    c.box = box;
    if (by_address) {
      if (const auto it = stored.find(position); it != stored.end()) {
        c.segments = {ByteRange{it->second.address, it->second.size}};
        c.locator = it->second.filter_mask;
        c.encoding = encodings(codec_name(d.pipeline, it->second.filter_mask));
      } else {
        c.encoding = encodings(usual_codec);
      }
    } else {
      std::copy(box.start.begin(), box.start.end(), offset.begin());
      if (const hsize_t size = chunk_storage_size(dataset, offset, d.file); size > 0)
        c.segments = {ByteRange{kNoAddress, size}};
      c.encoding = encodings(usual_codec);
    }
    table.chunks.push_back(std::move(c));
    ++position;
  });
}

// ------------------------------------------------------------------ the description

std::string missing_filters(const Pipeline& pipeline) {
  std::string missing;
  for (const auto& f : pipeline)
    if (H5Zfilter_avail(f.id) <= 0 && !decodes(f.id))
      missing += (missing.empty() ? "" : ", ") + filter_name(f.id) + " (id " + std::to_string(f.id) + ")";
  return missing;
}

std::vector<std::uint8_t> read_all(hid_t dataset, const Dataset& d) {
  std::vector<std::uint8_t> data(d.info.decoded_bytes());
  Id file_type(check(H5Dget_type(dataset), d.file, "cannot read the element type"));
  const bool raw = H5Tget_class(file_type.get()) == H5T_ENUM;
  check(H5Dread(dataset, raw ? file_type.get() : little_endian_type(d.info.dtype), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                data.data()),
        d.file, ("cannot read dataset " + d.name).c_str());
  if (raw && d.swap_bytes)
    codecs::swap_bytes({reinterpret_cast<std::byte*>(data.data()), data.size()}, size_of(d.info.dtype));
  return data;
}

}  // namespace

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
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  bool found = false;
  if (::fstat(fd, &st) == 0) {
    const auto size = static_cast<std::uint64_t>(st.st_size);
    for (std::uint64_t at = 0; !found && at + sizeof kSignature <= size; at = at ? at * 2 : 512) {
      unsigned char head[sizeof kSignature];
      found = ::pread(fd, head, sizeof head, static_cast<off_t>(at)) == static_cast<ssize_t>(sizeof head) &&
              std::memcmp(head, kSignature, sizeof head) == 0;
    }
  }
  ::close(fd);
  return found;
}

bool lists_addresses(std::uint64_t chunk_count) noexcept { return chunk_count <= kAddressListLimit; }

std::pair<Dataset, ChunkTable> describe(const std::string& spec) {
  const std::optional<Location> where = split_location(spec);
  if (!where) throw Error(spec, "no such file");
  const std::string& file_path = where->file;
  auto lock = hdf5_lock();  // declared first: released after every Id below is closed
  Id file = open_file_readonly(file_path);
  Dataset d;
  d.file = file_path;
  d.name = pick_dataset(file.get(), *where);
  const std::string context = "dataset " + d.name;
  Id dataset(check(H5Dopen2(file.get(), d.name.c_str(), H5P_DEFAULT), file_path, ("cannot open " + context).c_str()));

  Id type(check(H5Dget_type(dataset.get()), file_path, "cannot read the element type"));
  const ElementType element = classify(type.get());
  if (!element.unsupported.empty())
    throw Error(file_path,
                context + ": element type " + element.unsupported + " is not supported (" + kReadableTypes + ")");
  Id space(check(H5Dget_space(dataset.get()), file_path, "cannot read the dataspace"));
  switch (H5Sget_simple_extent_type(space.get())) {
    case H5S_NULL:
      throw Error(file_path, context + " has no elements (null dataspace)");
    case H5S_SCALAR:
      throw Error(file_path, context + " is a scalar, not an array");
    default:
      break;
  }
  d.info.format = "hdf5";
  d.info.shape = extent(space.get());
  d.info.dtype = element.dtype;
  if (d.info.decoded_bytes() == 0)
    throw Error(file_path, context + " is empty (shape " + shape_text(d.info.shape) + ")");
  try {
    d.info.dims = labelled_dims(dataset.get(), d.info.shape.size()).value_or(default_dims(d.info.shape.size()));
  } catch (const Error& e) {
    throw Error(file_path, context + ": " + e.cause());
  }
  // Vigra / ilastik store voxel sizes in micrometers, one per axis; strata's own .h5 output
  // (like BigDataViewer-style files) stores one per spatial axis, in Z, Y, X order.
  if (const auto sizes = number_attribute(dataset.get(), "element_size_um")) {
    std::string spatial;
    for (const char letter : d.info.dims)
      if (letter == 'Z' || letter == 'Y' || letter == 'X') spatial += letter;
    const std::string& axes = sizes->size() == d.info.dims.size() ? d.info.dims : spatial;
    if (sizes->size() == axes.size())
      for (std::size_t i = 0; i < sizes->size(); ++i) d.info.physical_sizes[axes[i]] = {(*sizes)[i], "µm"};
  }
  H5Eclear2(H5E_DEFAULT);  // attributes that failed to read leave records behind
  d.swap_bytes = element.big_endian;

  Id dcpl(check(H5Dget_create_plist(dataset.get()), file_path, "cannot read the creation properties"));
  d.fill = fill_value(dataset.get(), dcpl.get(), element, file_path);
  ChunkTable table;
  table.files = {file_path};
  const H5D_layout_t layout = H5Pget_layout(dcpl.get());
  if (layout == H5D_COMPACT) {
    d.access = Access::in_state;
    d.data = read_all(dataset.get(), d);
    list_pieces(d, kNoAddress, true, "raw", table);
  } else if (layout == H5D_CONTIGUOUS) {
    const int external = check(H5Pget_external_count(dcpl.get()), file_path, "cannot read the storage properties");
    const haddr_t address = H5Dget_offset(dataset.get());
    H5Eclear2(H5E_DEFAULT);  // H5Dget_offset fails (without a stack worth reporting) when unallocated
    const bool stored = external > 0 || address != HADDR_UNDEF;
    d.access = external == 0 && element.plain ? Access::contiguous : Access::library;
    list_pieces(d, d.access == Access::contiguous ? address : kNoAddress, stored, external > 0 ? "external" : "raw",
                table);
  } else if (layout == H5D_CHUNKED) {
    std::vector<hsize_t> chunk(d.info.shape.size());
    check(H5Pget_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), file_path,
          "cannot read the chunk shape");
    d.chunk_shape.assign(chunk.begin(), chunk.end());
    d.pipeline = read_pipeline(dcpl.get(), file_path);
    if (const std::string missing = missing_filters(d.pipeline); !missing.empty())
      throw Error(file_path,
                  context + ": filter " + missing +
                      " is not available (strata decodes deflate, shuffle, fletcher32, lzf, blosc and zstd)");
    const bool decodable = element.plain && std::all_of(d.pipeline.begin(), d.pipeline.end(),
                                                        [](const Filter& f) { return decodes(f.id); });
    hsize_t count = 0;
    check(H5Dget_num_chunks(dataset.get(), space.get(), &count), file_path, "cannot count the chunks");
    d.access = !decodable               ? Access::library
               : lists_addresses(count) ? Access::chunks_by_address
                                        : Access::chunks_by_lookup;
    if (d.access == Access::library) {
      // HDF5 then applies every filter, also those only strata decodes (lzf, zstd).
      const std::string why = element.plain ? "a filter strata does not decode" : "an element type with padding bits";
      for (const auto& f : d.pipeline)
        if (H5Zfilter_avail(f.id) <= 0)
          throw Error(file_path, context + " needs HDF5 to read it (" + why + "), and HDF5 lacks filter " +
                                     filter_name(f.id) + " (id " + std::to_string(f.id) + ")");
    }
    list_chunks(file.get(), dataset.get(), d, count, table);
  } else if (layout == H5D_VIRTUAL) {
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
