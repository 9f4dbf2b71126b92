#pragma once
// Files written at test time by a reference writer, never by strata itself: .npy and Zarr v2
// stores byte by byte, TIFF through libtiff, HDF5 through its C API. Each holds an array whose
// elements are a function of their linear index, so a read is checked byte for byte against
// the array kept in memory. Shared by the unit tests and the MPI tests.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <ostream>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "strata/box.hpp"
#include "strata/dtype.hpp"

namespace strata::testing {

// A fresh folder under the system's temporary folder ($TMPDIR), removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// An array in memory: C order, this machine's byte order.
struct RefArray {
  Shape shape;
  DType dtype = DType::uint8;
  std::vector<std::byte> bytes;

  // Element i holds a value mixed from i and `seed` over the dtype's range (floats: finite,
  // with fractions), so misplaced, swapped or missing elements show.
  static RefArray pattern(const Shape& shape, DType dtype, std::uint64_t seed = 1);
  // The elements inside `box`, C order.
  std::vector<std::byte> slice(const Box& box) const;
  // The whole array with every byte of the elements outside `box` set to `outside`.
  std::vector<std::byte> only(const Box& box, std::byte outside) const;
  std::size_t element_bytes() const { return size_of(dtype); }
};

// .npy format `version` (1, 2 or 3): magic, version, header length, the header dict padded
// with spaces to a multiple of 64 bytes and ended by '\n', then the data, C order.
// `big_endian` stores the elements byte-swapped under a '>' descr.
void write_npy(const std::string& path, const RefArray& array, int version = 1, bool big_endian = false);
// The data of a .npy file as written above, read back by hand (the header dict is returned
// in `header`); empty when the file is not a .npy file.
std::vector<std::byte> read_npy_data(const std::string& path, std::string* header = nullptr);

// A TIFF written with libtiff: `array` has shape (pages, Y, X) or (pages, Y, X, S); page p holds
// element [p]. Strips of `rows_per_strip` rows unless `tile` (square tiles, edge tiles
// padded); samples interleaved unless `planar_separate`.
struct TiffLayout {
  std::uint32_t rows_per_strip = 5;
  std::uint32_t tile = 0;
  bool planar_separate = false;
  std::uint16_t compression = 1;  // COMPRESSION_NONE
  std::uint16_t predictor = 1;    // PREDICTOR_NONE
  bool big_endian = false;
  bool bigtiff = false;
};
void write_tiff(const std::string& path, const RefArray& array, const TiffLayout& layout = {});

// A Zarr v2 array written by hand: `.zarray` and one file per chunk (edge chunks stored
// whole, padded with the fill value), raw or zlib. Chunks whose C-order grid index is in
// `omit` are not written: fill_omitted_chunks sets their part of an array to `fill`, which
// is what a reader must return for them.
struct ZarrLayout {
  Shape chunks;
  bool zlib = false;
  bool fortran_order = false;  // elements inside each chunk in F order
  bool big_endian = false;
  char separator = '.';
  std::int64_t fill = 0;
  std::set<std::int64_t> omit;
};
void write_zarr(const std::string& path, const RefArray& array, const ZarrLayout& layout);
void fill_omitted_chunks(RefArray& array, const ZarrLayout& layout);

// One dataset `name` in a new HDF5 file at `file`, through HDF5's C API: contiguous when
// `chunks` is empty, else chunked (deflate `level` when > 0, edge chunks partial).
void write_hdf5(const std::string& file, const std::string& name, const RefArray& array, const Shape& chunks = {},
                int deflate_level = 0);

// "" when `got` equals `want`, else where they first differ (in elements of `element` bytes).
std::string first_difference(std::span<const std::byte> got, std::span<const std::byte> want, std::size_t element);

// ---- one list of files, every registered format ----------------------------------------------

// A file a case wrote, and what a driver must present for it.
struct ReferenceFile {
  std::string path;         // what to open (HDF5: "file.h5:/dataset")
  std::string file;         // the file or folder on disk
  std::string info_format;  // ArrayInfo::format
  std::string dims;
  RefArray array;           // as the driver presents it (plain TIFF: TCZYX[S], pages on Z)
  std::function<void()> write;  // writes the file (make() only describes it)
};

struct ReferenceCase {
  std::string name;    // a C identifier, for test names
  std::string format;  // the registry's name of the format that must open it
  // The file this case writes into `dir`, described without touching the disk, so that
  // every MPI rank knows the array while one rank writes it.
  std::function<ReferenceFile(const std::filesystem::path& dir)> make;
};

// Test parameters print as their name.
inline void PrintTo(const ReferenceCase& c, std::ostream* os) { *os << c.name; }

// Small files of every registered format in the layouts that matter to readers: edge
// chunks, several chunks per plane, compression, big-endian data, samples, missing chunks.
const std::vector<ReferenceCase>& reference_cases();
const ReferenceCase& reference_case(const std::string& name);

}  // namespace strata::testing
