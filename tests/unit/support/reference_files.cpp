#include "support/reference_files.hpp"

#include <hdf5.h>
#include <stdlib.h>
#include <tiffio.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "model/half.hpp"
#include "strata/dims.hpp"

namespace strata::testing {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("reference writer: " + what); }

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finalizer
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// `value` stored as one element of `dtype` at `p` (integers truncated, floats converted).
void store(std::byte* p, DType dtype, std::int64_t integer, double real) {
  auto put = [p](auto v) { std::memcpy(p, &v, sizeof v); };
  switch (dtype) {
    case DType::uint8: put(static_cast<std::uint8_t>(integer)); break;
    case DType::uint16: put(static_cast<std::uint16_t>(integer)); break;
    case DType::uint32: put(static_cast<std::uint32_t>(integer)); break;
    case DType::uint64: put(static_cast<std::uint64_t>(integer)); break;
    case DType::int8: put(static_cast<std::int8_t>(integer)); break;
    case DType::int16: put(static_cast<std::int16_t>(integer)); break;
    case DType::int32: put(static_cast<std::int32_t>(integer)); break;
    case DType::int64: put(static_cast<std::int64_t>(integer)); break;
    case DType::float32: put(static_cast<float>(real)); break;
    case DType::float64: put(real); break;
    case DType::float16: put(half_bits(static_cast<float>(real))); break;
    case DType::bool_: put(static_cast<std::uint8_t>(integer & 1)); break;
  }
}

std::vector<std::byte> swapped(std::vector<std::byte> bytes, std::size_t element) {
  for (std::size_t i = 0; i + element <= bytes.size(); i += element) std::reverse(&bytes[i], &bytes[i] + element);
  return bytes;
}

// Calls visit(coordinates) for every position in `box`, C order.
template <typename Visit>
void for_each_position(const Box& box, Visit&& visit) {
  if (box.empty()) return;
  std::vector<std::int64_t> at = box.start;
  while (true) {
    visit(at);
    std::size_t i = at.size();
    while (i-- > 0) {
      if (++at[i] < box.stop[i]) break;
      at[i] = box.start[i];
    }
    if (i == static_cast<std::size_t>(-1)) return;
  }
}

std::int64_t c_index(const std::vector<std::int64_t>& at, const Shape& shape) {
  std::int64_t index = 0;
  for (std::size_t i = 0; i < shape.size(); ++i) index = index * shape[i] + at[i];
  return index;
}

std::int64_t f_index(const std::vector<std::int64_t>& at, const Shape& shape) {
  std::int64_t index = 0;
  for (std::size_t i = shape.size(); i-- > 0;) index = index * shape[i] + at[i];
  return index;
}

void write_bytes(const std::string& path, const std::string& head, const std::vector<std::byte>& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(head.data(), static_cast<std::streamsize>(head.size()));
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  if (!out) fail("cannot write " + path);
}

std::string typestr(DType dtype, bool big_endian) {
  std::string t = numpy_typestr(dtype);
  if (big_endian && t[0] == '<') t[0] = '>';
  return t;
}

}  // namespace

// ---- TempDir, RefArray -----------------------------------------------------------------------

TempDir::TempDir() {
  std::string name = (fs::temp_directory_path() / "strata-test-XXXXXX").string();
  if (!mkdtemp(name.data())) fail("cannot create a temporary folder");
  path_ = name;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

RefArray RefArray::pattern(const Shape& shape, DType dtype, std::uint64_t seed) {
  RefArray a{shape, dtype, {}};
  const auto count = static_cast<std::size_t>(element_count(shape));
  a.bytes.resize(count * size_of(dtype));
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint64_t v = mix(i * 0x100000001B3ull + seed);
    const double real = static_cast<double>((v >> 11) % 200001) * 0.125 - 12500.0;
    store(a.bytes.data() + i * size_of(dtype), dtype, static_cast<std::int64_t>(v), real);
  }
  return a;
}

std::vector<std::byte> RefArray::slice(const Box& box) const {
  const std::size_t e = element_bytes();
  std::vector<std::byte> out(static_cast<std::size_t>(box.count()) * e);
  std::byte* p = out.data();
  for_each_position(box, [&](const std::vector<std::int64_t>& at) {
    std::memcpy(p, bytes.data() + static_cast<std::size_t>(c_index(at, shape)) * e, e);
    p += e;
  });
  return out;
}

std::vector<std::byte> RefArray::only(const Box& box, std::byte outside) const {
  const std::size_t e = element_bytes();
  std::vector<std::byte> out(bytes.size(), outside);
  for_each_position(box, [&](const std::vector<std::int64_t>& at) {
    const auto offset = static_cast<std::size_t>(c_index(at, shape)) * e;
    std::memcpy(out.data() + offset, bytes.data() + offset, e);
  });
  return out;
}

// ---- .npy ----------------------------------------------------------------------------------

void write_npy(const std::string& path, const RefArray& array, int version, bool big_endian) {
  std::string shape = "(";
  for (const auto extent : array.shape) shape += std::to_string(extent) + ", ";
  if (array.shape.size() > 1) shape.resize(shape.size() - 2);
  if (array.shape.size() == 1) shape.pop_back();  // "(5,)"
  shape += ")";
  std::string dict = "{'descr': '" + typestr(array.dtype, big_endian) + "', 'fortran_order': False, 'shape': " +
                     shape + ", }";
  const std::size_t length_bytes = version == 1 ? 2 : 4;
  const std::size_t prefix = 6 + 2 + length_bytes;
  dict.append((64 - (prefix + dict.size() + 1) % 64) % 64, ' ');
  dict += '\n';
  std::string head = "\x93NUMPY";
  head += static_cast<char>(version);
  head += '\0';
  for (std::size_t i = 0; i < length_bytes; ++i) head += static_cast<char>((dict.size() >> (8 * i)) & 0xff);
  head += dict;
  write_bytes(path, head, big_endian ? swapped(array.bytes, array.element_bytes()) : array.bytes);
}

std::vector<std::byte> read_npy_data(const std::string& path, std::string* header) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (all.size() < 10 || std::memcmp(all.data(), "\x93NUMPY", 6) != 0) return {};
  const std::size_t length_bytes = all[6] == 1 ? 2 : 4;
  std::size_t length = 0;
  for (std::size_t i = 0; i < length_bytes; ++i)
    length |= static_cast<std::size_t>(static_cast<unsigned char>(all[8 + i])) << (8 * i);
  const std::size_t offset = 8 + length_bytes + length;
  if (offset > all.size()) return {};
  if (header) header->assign(all.data() + 8 + length_bytes, length);
  std::vector<std::byte> data(all.size() - offset);
  std::memcpy(data.data(), all.data() + offset, data.size());
  return data;
}

// ---- TIFF ----------------------------------------------------------------------------------

void write_tiff(const std::string& path, const RefArray& array, const TiffLayout& layout) {
  if (array.shape.size() != 3 && array.shape.size() != 4) fail("TIFF arrays are (pages, Y, X[, S])");
  const auto pages = static_cast<std::uint32_t>(array.shape[0]);
  const auto length = static_cast<std::uint32_t>(array.shape[1]);
  const auto width = static_cast<std::uint32_t>(array.shape[2]);
  const auto samples = static_cast<std::uint16_t>(array.shape.size() == 4 ? array.shape[3] : 1);
  const std::size_t e = array.element_bytes();
  const std::uint16_t planes = layout.planar_separate ? samples : 1;
  const std::size_t pixel = (layout.planar_separate ? 1 : samples) * e;
  const std::size_t page_bytes = std::size_t{length} * width * samples * e;

  const std::string mode = std::string("w") + (layout.big_endian ? "b" : "l") + (layout.bigtiff ? "8" : "");
  TIFF* tif = TIFFOpen(path.c_str(), mode.c_str());
  if (!tif) fail("libtiff cannot create " + path);
  const std::uint16_t format = is_float(array.dtype)                                             ? SAMPLEFORMAT_IEEEFP
                               : name(array.dtype).front() == 'i' ? SAMPLEFORMAT_INT : SAMPLEFORMAT_UINT;
  std::vector<std::byte> plane(std::size_t{length} * width * pixel), scratch;
  for (std::uint32_t page = 0; page < pages; ++page) {
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, width);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, length);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, static_cast<std::uint16_t>(e * 8));
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, samples);
    TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, format);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, layout.planar_separate ? PLANARCONFIG_SEPARATE : PLANARCONFIG_CONTIG);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, samples >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
    if (samples == 2 || samples > 3) {
      std::vector<std::uint16_t> extra(samples - (samples >= 3 ? 3 : 1), EXTRASAMPLE_UNSPECIFIED);
      TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, static_cast<std::uint16_t>(extra.size()), extra.data());
    }
    TIFFSetField(tif, TIFFTAG_COMPRESSION, layout.compression);
    if (layout.predictor != PREDICTOR_NONE) TIFFSetField(tif, TIFFTAG_PREDICTOR, layout.predictor);
    if (layout.tile) {
      TIFFSetField(tif, TIFFTAG_TILEWIDTH, layout.tile);
      TIFFSetField(tif, TIFFTAG_TILELENGTH, layout.tile);
    } else {
      TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, layout.rows_per_strip);
    }
    const std::byte* page_data = array.bytes.data() + page * page_bytes;
    for (std::uint16_t s = 0; s < planes; ++s) {
      if (layout.planar_separate) {
        for (std::size_t i = 0; i < std::size_t{length} * width; ++i)
          std::memcpy(plane.data() + i * e, page_data + (i * samples + s) * e, e);
      } else {
        std::memcpy(plane.data(), page_data, page_bytes);
      }
      // libtiff byte-swaps (and predicts) in place, so each call gets a copy.
      if (!layout.tile) {
        const std::size_t row = width * pixel;
        for (std::uint32_t y = 0; y < length; y += layout.rows_per_strip) {
          const std::uint32_t rows = std::min(layout.rows_per_strip, length - y);
          scratch.assign(plane.begin() + y * row, plane.begin() + (y + rows) * row);
          if (TIFFWriteEncodedStrip(tif, TIFFComputeStrip(tif, y, s), scratch.data(),
                                    static_cast<tmsize_t>(scratch.size())) < 0)
            fail("libtiff cannot write a strip of " + path);
        }
        continue;
      }
      for (std::uint32_t ty = 0; ty < length; ty += layout.tile)
        for (std::uint32_t tx = 0; tx < width; tx += layout.tile) {
          scratch.assign(std::size_t{layout.tile} * layout.tile * pixel, std::byte{0});
          for (std::uint32_t r = 0; r < layout.tile && ty + r < length; ++r)
            std::memcpy(scratch.data() + r * layout.tile * pixel, plane.data() + ((ty + r) * width + tx) * pixel,
                        std::min(layout.tile, width - tx) * pixel);
          if (TIFFWriteEncodedTile(tif, TIFFComputeTile(tif, tx, ty, 0, s), scratch.data(),
                                   static_cast<tmsize_t>(scratch.size())) < 0)
            fail("libtiff cannot write a tile of " + path);
        }
    }
    if (!TIFFWriteDirectory(tif)) fail("libtiff cannot write a directory of " + path);
  }
  TIFFClose(tif);
}

// ---- Zarr v2 -------------------------------------------------------------------------------

namespace {

Shape chunk_grid(const Shape& shape, const Shape& chunks) {
  Shape grid(shape.size());
  for (std::size_t i = 0; i < shape.size(); ++i) grid[i] = (shape[i] + chunks[i] - 1) / chunks[i];
  return grid;
}

Box chunk_box(const std::vector<std::int64_t>& g, const Shape& shape, const Shape& chunks) {
  Box box = Box::whole(shape);
  for (std::size_t i = 0; i < shape.size(); ++i) {
    box.start[i] = g[i] * chunks[i];
    box.stop[i] = std::min(box.start[i] + chunks[i], shape[i]);
  }
  return box;
}

}  // namespace

void fill_omitted_chunks(RefArray& array, const ZarrLayout& layout) {
  const std::size_t e = array.element_bytes();
  std::vector<std::byte> fill(e);
  store(fill.data(), array.dtype, layout.fill, static_cast<double>(layout.fill));
  const Shape grid = chunk_grid(array.shape, layout.chunks);
  for (const std::int64_t omitted : layout.omit) {
    std::vector<std::int64_t> g(grid.size());
    std::int64_t rest = omitted;
    for (std::size_t i = grid.size(); i-- > 0;) {
      g[i] = rest % grid[i];
      rest /= grid[i];
    }
    for_each_position(chunk_box(g, array.shape, layout.chunks), [&](const std::vector<std::int64_t>& at) {
      std::memcpy(array.bytes.data() + static_cast<std::size_t>(c_index(at, array.shape)) * e, fill.data(), e);
    });
  }
}

void write_zarr(const std::string& path, const RefArray& array, const ZarrLayout& layout) {
  const std::size_t rank = array.shape.size();
  if (layout.chunks.size() != rank) fail("chunk shape and array shape differ in rank");
  const std::size_t e = array.element_bytes();
  fs::create_directories(path);
  nlohmann::json zarray{{"zarr_format", 2},
                        {"shape", array.shape},
                        {"chunks", layout.chunks},
                        {"dtype", typestr(array.dtype, layout.big_endian)},
                        {"compressor", nullptr},
                        {"fill_value", layout.fill},
                        {"order", layout.fortran_order ? "F" : "C"},
                        {"filters", nullptr}};
  if (layout.zlib) zarray["compressor"] = {{"id", "zlib"}, {"level", 1}};
  if (layout.separator != '.') zarray["dimension_separator"] = std::string(1, layout.separator);
  std::ofstream(fs::path(path) / ".zarray") << zarray.dump(2);

  std::vector<std::byte> fill(e);
  store(fill.data(), array.dtype, layout.fill, static_cast<double>(layout.fill));
  const Shape grid = chunk_grid(array.shape, layout.chunks);
  for_each_position(Box::whole(grid), [&](const std::vector<std::int64_t>& g) {
    if (layout.omit.count(c_index(g, grid))) return;
    const Box box = chunk_box(g, array.shape, layout.chunks);
    std::vector<std::byte> chunk(static_cast<std::size_t>(element_count(layout.chunks)) * e);
    for (std::size_t i = 0; i < chunk.size(); i += e) std::memcpy(&chunk[i], fill.data(), e);
    for_each_position(box, [&](const std::vector<std::int64_t>& at) {
      std::vector<std::int64_t> local(rank);
      for (std::size_t i = 0; i < rank; ++i) local[i] = at[i] - box.start[i];
      const std::int64_t to = layout.fortran_order ? f_index(local, layout.chunks) : c_index(local, layout.chunks);
      std::memcpy(&chunk[static_cast<std::size_t>(to) * e],
                  array.bytes.data() + static_cast<std::size_t>(c_index(at, array.shape)) * e, e);
    });
    if (layout.big_endian) chunk = swapped(std::move(chunk), e);
    if (layout.zlib) {
      uLongf size = compressBound(static_cast<uLong>(chunk.size()));
      std::vector<std::byte> packed(size);
      if (compress2(reinterpret_cast<Bytef*>(packed.data()), &size, reinterpret_cast<const Bytef*>(chunk.data()),
                    static_cast<uLong>(chunk.size()), 1) != Z_OK)
        fail("zlib failed");
      packed.resize(size);
      chunk = std::move(packed);
    }
    std::string key;
    for (std::size_t i = 0; i < rank; ++i) key += (i ? std::string(1, layout.separator) : "") + std::to_string(g[i]);
    if (rank == 0) key = "0";
    const fs::path file = fs::path(path) / key;
    fs::create_directories(file.parent_path());
    write_bytes(file.string(), "", chunk);
  });
}

// ---- HDF5 ----------------------------------------------------------------------------------

namespace {

struct H5Types {
  hid_t file, memory;
};

H5Types h5_types(DType dtype) {
  switch (dtype) {
    case DType::uint8: return {H5T_STD_U8LE, H5T_NATIVE_UINT8};
    case DType::uint16: return {H5T_STD_U16LE, H5T_NATIVE_UINT16};
    case DType::uint32: return {H5T_STD_U32LE, H5T_NATIVE_UINT32};
    case DType::uint64: return {H5T_STD_U64LE, H5T_NATIVE_UINT64};
    case DType::int8: return {H5T_STD_I8LE, H5T_NATIVE_INT8};
    case DType::int16: return {H5T_STD_I16LE, H5T_NATIVE_INT16};
    case DType::int32: return {H5T_STD_I32LE, H5T_NATIVE_INT32};
    case DType::int64: return {H5T_STD_I64LE, H5T_NATIVE_INT64};
    case DType::float32: return {H5T_IEEE_F32LE, H5T_NATIVE_FLOAT};
    case DType::float64: return {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE};
    case DType::float16:
    case DType::bool_: break;  // no predefined HDF5 type
  }
  fail("no HDF5 type");
}

}  // namespace

void write_hdf5(const std::string& file, const std::string& name, const RefArray& array, const Shape& chunks,
                int deflate_level) {
  const hid_t f = H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) fail("HDF5 cannot create " + file);
  const std::vector<hsize_t> dims(array.shape.begin(), array.shape.end());
  const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  if (!chunks.empty()) {
    const std::vector<hsize_t> chunk(chunks.begin(), chunks.end());
    H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
    if (deflate_level > 0) H5Pset_deflate(dcpl, static_cast<unsigned>(deflate_level));
  }
  const H5Types types = h5_types(array.dtype);
  const hid_t d = H5Dcreate2(f, name.c_str(), types.file, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  const bool written = d >= 0 && H5Dwrite(d, types.memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, array.bytes.data()) >= 0;
  if (d >= 0) H5Dclose(d);
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Fclose(f);
  if (!written) fail("HDF5 cannot write " + file + ":" + name);
}

std::string first_difference(std::span<const std::byte> got, std::span<const std::byte> want, std::size_t element) {
  if (got.size() != want.size())
    return "sizes differ: " + std::to_string(got.size()) + " bytes read, " + std::to_string(want.size()) + " expected";
  for (std::size_t i = 0; i < got.size(); ++i)
    if (got[i] != want[i]) return "first difference at element " + std::to_string(i / element);
  return "";
}

// ---- the cases -------------------------------------------------------------------------------

namespace {

ReferenceFile npy_case(const fs::path& dir, const Shape& shape, DType dtype, int version, bool big_endian) {
  ReferenceFile f;
  f.file = f.path = (dir / "array.npy").string();
  f.info_format = "npy";
  f.array = RefArray::pattern(shape, dtype, 11);
  f.dims = default_dims(shape.size());
  f.write = [path = f.file, array = f.array, version, big_endian] { write_npy(path, array, version, big_endian); };
  return f;
}

// `shape`: (pages, Y, X[, S]).
ReferenceFile tiff_case(const fs::path& dir, const Shape& shape, DType dtype, const TiffLayout& layout) {
  ReferenceFile f;
  f.file = f.path = (dir / "image.tif").string();
  f.info_format = "tiff";
  f.array = RefArray::pattern(shape, dtype, 23);
  f.write = [path = f.file, array = f.array, layout] { write_tiff(path, array, layout); };
  f.array.shape.insert(f.array.shape.begin(), {1, 1});  // pages are Z
  f.dims = shape.size() == 4 ? "TCZYXS" : "TCZYX";
  return f;
}

ReferenceFile zarr_case(const fs::path& dir, const Shape& shape, DType dtype, const ZarrLayout& layout) {
  ReferenceFile f;
  f.file = f.path = (dir / "array.zarr").string();
  f.info_format = "zarr";
  f.array = RefArray::pattern(shape, dtype, 37);
  fill_omitted_chunks(f.array, layout);
  f.dims = default_dims(shape.size());
  f.write = [path = f.file, array = f.array, layout] { write_zarr(path, array, layout); };
  return f;
}

ReferenceFile hdf5_case(const fs::path& dir, const Shape& shape, DType dtype, const Shape& chunks, int level) {
  ReferenceFile f;
  f.file = (dir / "file.h5").string();
  f.path = f.file + ":/data";
  f.info_format = "hdf5";
  f.array = RefArray::pattern(shape, dtype, 41);
  f.dims = default_dims(shape.size());
  f.write = [path = f.file, array = f.array, chunks, level] { write_hdf5(path, "data", array, chunks, level); };
  return f;
}

}  // namespace

const std::vector<ReferenceCase>& reference_cases() {
  using D = const fs::path&;
  static const std::vector<ReferenceCase> cases{
      {"npy_u16_czyx", "npy", [](D d) { return npy_case(d, {2, 3, 23, 37}, DType::uint16, 1, false); }},
      {"npy_f32_big_endian_v2", "npy", [](D d) { return npy_case(d, {4, 19, 21}, DType::float32, 2, true); }},
      {"npy_i64_yx_v3", "npy", [](D d) { return npy_case(d, {17, 29}, DType::int64, 3, false); }},
      {"tiff_u16_strips", "tiff", [](D d) { return tiff_case(d, {5, 23, 37}, DType::uint16, {}); }},
      {"tiff_f32_deflate_tiles", "tiff",
       [](D d) {
         TiffLayout l;
         l.tile = 16, l.compression = COMPRESSION_ADOBE_DEFLATE, l.predictor = PREDICTOR_FLOATINGPOINT;
         return tiff_case(d, {3, 40, 35}, DType::float32, l);
       }},
      {"tiff_u8_rgb_planar_separate_lzw_tiles", "tiff",
       [](D d) {
         TiffLayout l;
         l.tile = 16, l.planar_separate = true, l.compression = COMPRESSION_LZW;
         return tiff_case(d, {2, 21, 19, 3}, DType::uint8, l);
       }},
      {"tiff_u16_rgb_big_endian", "tiff",
       [](D d) {
         TiffLayout l;
         l.rows_per_strip = 4, l.big_endian = true;
         return tiff_case(d, {2, 17, 23, 3}, DType::uint16, l);
       }},
      {"tiff_i32_bigtiff", "tiff",
       [](D d) {
         TiffLayout l;
         l.bigtiff = true;
         return tiff_case(d, {2, 9, 11}, DType::int32, l);
       }},
      {"zarr_u16_edge_chunks", "zarr", [](D d) { return zarr_case(d, {7, 33, 35}, DType::uint16, {{3, 8, 16}}); }},
      {"zarr_i32_zlib_nested_missing_chunks", "zarr",
       [](D d) {
         ZarrLayout l{{2, 10, 10}};
         l.zlib = true, l.separator = '/', l.fill = -7, l.omit = {1, 6};
         return zarr_case(d, {5, 20, 20}, DType::int32, l);
       }},
      {"zarr_f64_order_f_big_endian", "zarr",
       [](D d) {
         ZarrLayout l{{2, 4, 5}};
         l.fortran_order = true, l.big_endian = true;
         return zarr_case(d, {5, 11, 13}, DType::float64, l);
       }},
      {"hdf5_u16_deflate_edge_chunks", "hdf5",
       [](D d) { return hdf5_case(d, {7, 33, 35}, DType::uint16, {3, 8, 16}, 4); }},
      {"hdf5_i16_contiguous", "hdf5", [](D d) { return hdf5_case(d, {4, 30, 33}, DType::int16, {}, 0); }},
  };
  return cases;
}

const ReferenceCase& reference_case(const std::string& name) {
  for (const auto& c : reference_cases())
    if (c.name == name) return c;
  fail("no reference case " + name);
}

}  // namespace strata::testing
