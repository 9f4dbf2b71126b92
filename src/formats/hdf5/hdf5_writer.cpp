// HDF5 (.h5): one chunked dataset "/data" that every rank writes at once through parallel
// HDF5 (MPI-IO). One chunk holds one plane, so a rank's planes fill whole chunks that no
// other rank touches: what compressed (filtered) collective writes need; uncompressed
// planes are written independently (see properties()). Dims are dimension-scale labels
// and voxel sizes `element_size_um`, which is how strata's HDF5 reader, h5py users and
// ilastik-style readers find them.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include "codecs/blosc.hpp"
#include "formats/hdf5/api/attribute.hpp"
#include "formats/hdf5/api/dataset.hpp"
#include "formats/hdf5/api/dataspace.hpp"
#include "formats/hdf5/api/datatype.hpp"
#include "formats/hdf5/api/file.hpp"
#include "formats/hdf5/api/filter.hpp"
#include "formats/hdf5/api/property_list.hpp"
#include "io/output_file.hpp"
#include "mpi/comm.hpp"
#include "mpi/hints.hpp"
#include "formats/format_writer.hpp"
#include "strata/error.hpp"

namespace strata {
namespace {

namespace api = hdf5::api;
using api::Id;

// Errors name no file: the caller names the destination rather than the temporary.
const std::string kUnnamed;

// The most bytes of whole planes one H5Dwrite carries (see pieces()).
constexpr std::uint64_t kBytesPerWrite = std::uint64_t{32} << 20;

// As hdf5plugin.Blosc and PyTables write them: level 5, byte shuffle; slots 0-3 are
// filled in by the filter when the dataset is created.
constexpr unsigned kBloscLevel = 5;
constexpr unsigned kBloscShuffle = 1;
constexpr unsigned kBloscLz4 = 1;
constexpr unsigned kBloscZstd = 5;

bool in_micrometers(const std::string& unit) {
  return unit.empty() || unit == "\u00b5m" || unit == "\u03bcm" || unit == "um";
}

std::vector<hsize_t> hsizes(const std::vector<std::int64_t>& values) { return {values.begin(), values.end()}; }

// Chunks of one plane: 1 on the leading axes, whole on the plane's axes.
std::vector<hsize_t> plane_chunk(const Slab& slab) {
  std::vector<hsize_t> chunk(slab.shape.size(), 1);
  for (std::size_t i = slab.shape.size() - static_cast<std::size_t>(slab.plane_axes); i < chunk.size(); ++i)
    chunk[i] = static_cast<hsize_t>(std::max<std::int64_t>(slab.shape[i], 1));
  return chunk;
}

void add_codec(hid_t dcpl, std::string_view codec) {
  if (codec == "gzip") {  // h5py's compression="gzip", compression_opts=1, shuffle=True
    api::plist_set_shuffle(dcpl, kUnnamed);
    api::plist_set_deflate(dcpl, 1, kUnnamed);
  } else if (codec == "blosc-lz4" || codec == "blosc-zstd") {
    const std::string_view cname = codec.substr(codec.find('-') + 1);
    if (!codecs::blosc_has_compressor(cname))
      throw Error(kUnnamed,
                  "this libblosc lacks " + std::string(cname) + " (it has " + codecs::blosc_compressors() + ")");
    const std::array<unsigned, 7> values{0, 0, 0, 0, kBloscLevel, kBloscShuffle,
                                         cname == "lz4" ? kBloscLz4 : kBloscZstd};
    // Optional, as hdf5plugin sets it: a chunk Blosc cannot compress (over 2 GiB) is stored
    // as it is rather than failing one rank inside a collective write.
    api::plist_set_filter(dcpl, api::kBloscFilterId, true, values, kUnnamed);
  }
}

// Everything each rank prepares alone before the collective calls.
struct Properties {
  Id file_access, creation, transfer, space;
};

// MPI-IO hints. A collective write gathers data into buffers on aggregating ranks, on top
// of their slab: OMPIO's default (32 MiB) pushed a rank holding a small slab over its
// memory share, 4 MiB did not, and wrote as fast here.
Properties properties(const mpi::Comm& comm, const Slab& slab, std::string_view codec) {
  Properties p;
  p.file_access = api::plist_create(api::PropertyList::file_access, kUnnamed);
  const mpi::Hints hints(std::vector<std::pair<std::string, std::string>>{{"cb_buffer_size", "4194304"}});  // HDF5 keeps a copy
  api::plist_set_mpio(p.file_access.get(), comm.get(), hints.get(), kUnnamed);

  p.creation = api::plist_create(api::PropertyList::dataset_creation, kUnnamed);
  api::plist_set_chunk(p.creation.get(), plane_chunk(slab), kUnnamed);
  // Every element is written: filling allocated chunks first would write them twice.
  api::plist_set_fill_time_never(p.creation.get(), kUnnamed);
  add_codec(p.creation.get(), codec);

  p.transfer = api::plist_create(api::PropertyList::transfer, kUnnamed);
  // HDF5 compresses chunks only in collective writes. Without compression every rank
  // writes its own planes' bytes where they go: independent writes skip the aggregation
  // step, which made collective writes of the same data 3-13 times slower here.
  api::plist_set_collective(p.transfer.get(), codec != "none", kUnnamed);

  p.space = api::dataspace_create(hsizes(slab.shape), kUnnamed);
  return p;
}

// Voxel sizes in µm, Z, Y, X order (the axes of these present in dims), the way Fiji's
// HDF5 plugin, ilastik and strata's reader store them; only when every one is known.
std::vector<double> element_size_um(const ArrayInfo& info) {
  std::vector<double> sizes;
  for (char axis : info.dims) {
    if (axis != 'Z' && axis != 'Y' && axis != 'X') continue;
    const auto size = info.physical_sizes.find(axis);
    if (size == info.physical_sizes.end() || !in_micrometers(size->second.unit)) return {};
    sizes.push_back(size->second.value);
  }
  return sizes;
}

// Collective (every rank, the same arguments): the dataset, its labels and attributes.
Id create_dataset(hid_t file, const ArrayInfo& info, const Properties& p) {
  Id dataset = api::dataset_create(file, "/data", api::little_endian_type(info.dtype), p.space.get(),
                                   p.creation.get(), kUnnamed);
  for (std::size_t i = 0; i < info.dims.size(); ++i)
    api::dimension_label_set(dataset.get(), static_cast<unsigned>(i), std::string(1, info.dims[i]), kUnnamed);
  if (const std::vector<double> sizes = element_size_um(info); !sizes.empty())
    api::attribute_write_doubles(dataset.get(), "element_size_um", sizes, kUnnamed);
  return dataset;
}

// One write: a box of whole planes, and where its elements start in the slab.
struct Piece {
  Box box;
  std::size_t offset = 0;
};

// This rank's planes as the pieces it writes, in order. At most kBytesPerWrite each (or
// one plane): HDF5's filtered path copies every chunk of one write before compressing it,
// so this bounds the memory a write adds, and MPI-IO transfers stay far below 2 GiB.
// Each piece is one box because HDF5 maps a memory selection whose shape differs from
// the file's to chunks element by element, which is slower than the disk.
std::vector<Piece> pieces(const Slab& slab) {
  const auto per_write = std::max<std::int64_t>(1, static_cast<std::int64_t>(kBytesPerWrite / slab.plane_bytes()));
  std::vector<Piece> out;
  std::size_t offset = 0;
  for (std::int64_t begin = slab.plane_begin; begin < slab.plane_end; begin += per_write) {
    const std::int64_t end = std::min(begin + per_write, slab.plane_end);
    for (Box& box : plane_range_boxes(slab.shape, slab.plane_axes, begin, end)) {
      const std::size_t bytes = static_cast<std::size_t>(box.count()) * size_of(slab.dtype);
      out.push_back({std::move(box), offset});
      offset += bytes;
    }
  }
  return out;
}

// The file and memory selections of one piece; none at all for a rank without one, which
// still takes part in a collective write.
struct Selection {
  Id file, memory;
};

Selection select(hid_t dataset, const Piece* piece) {
  Selection s;
  s.file = api::dataset_space(dataset, kUnnamed);
  if (!piece) {
    api::dataspace_select_none(s.file.get(), kUnnamed);
    s.memory = api::dataspace_copy(s.file.get(), kUnnamed);
    return s;
  }
  const std::vector<hsize_t> start = hsizes(piece->box.start), count = hsizes(piece->box.shape());
  api::dataspace_select_box(s.file.get(), start, count, kUnnamed);
  s.memory = api::dataspace_create(count, kUnnamed);
  return s;
}

// Disk space for the whole file, taken before any data moves. A write that runs out of
// space fails inside HDF5's collective calls on some ranks only (the others then wait in
// OMPIO for ever), and a close whose flush fails leaves HDF5 1.10 holding a half-freed
// file that crashes it at MPI_Finalize. Best effort: file systems without fallocate skip.
// The bound: every chunk stored (compressed chunks at most a little larger than raw ones),
// plus the chunk index and headers.
void reserve_space(const std::string& path, const ArrayInfo& info, const Slab& slab) {
  const std::uint64_t bytes = info.decoded_bytes() + info.decoded_bytes() / 256 +
                              64 * static_cast<std::uint64_t>(plane_count(slab.shape, slab.plane_axes)) + (1u << 20);
  // KEEP_SIZE: HDF5 sees the file's size unchanged; release_space() frees what is unused.
  const int error = io::OutputFile(path, O_WRONLY).reserve(bytes);
  if (error == ENOSPC || error == EDQUOT)
    throw Error(kUnnamed, "not enough disk space (or quota) for " + std::to_string(bytes) + " bytes: " +
                              std::strerror(error));
}

// Frees the reserved blocks past the end of the finished file (truncating to its size).
void release_space(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || ::truncate(path.c_str(), st.st_size) != 0)
    throw Error(kUnnamed, std::string("cannot release the space reserved past its end: ") + std::strerror(errno));
}

void write_hdf5(const mpi::Comm& comm, const std::string& path, const ArrayInfo& info, Slab& slab,
                std::string_view codec) {
  auto lock = api::hdf5_lock();  // declared first: released after every Id below is closed
  // Each collective HDF5 call is preceded by an agreement on the local work before it and
  // followed by one on its outcome, so a rank never enters a collective the others skip.
  Properties p;
  mpi::agreed(comm, [&] { p = properties(comm, slab, codec); });
  Id file;
  mpi::agreed(comm, [&] { file = api::file_create(path, p.file_access.get(), kUnnamed); });
  Id dataset;
  mpi::agreed(comm, [&] { dataset = create_dataset(file.get(), info, p); });
  mpi::agreed(comm, [&] {
    if (comm.rank() == 0) reserve_space(path, info, slab);
  });

  const hid_t type = api::little_endian_type(slab.dtype);  // the file's type: no conversion
  const std::vector<Piece> own = pieces(slab);
  const std::uint64_t writes = comm.max(std::uint64_t{own.size()});  // every rank makes as many calls
  const std::byte unused{};
  for (std::size_t i = 0; i < writes; ++i) {
    const Piece* piece = i < own.size() ? &own[i] : nullptr;
    Selection s;
    mpi::agreed(comm, [&] { s = select(dataset.get(), piece); });
    const std::byte* data = piece ? slab.data.data() + piece->offset : &unused;
    mpi::agreed(comm, [&] {
      api::dataset_write(dataset.get(), type, s.memory.get(), s.file.get(), p.transfer.get(), data, kUnnamed);
    });
  }
  mpi::agreed(comm, [&] {
    // Closing flushes what HDF5 still holds: its failure is the write's.
    dataset.close(kUnnamed);
    file.close(kUnnamed);
  });
  mpi::agreed(comm, [&] {
    if (comm.rank() == 0) release_space(path);
  });
}

}  // namespace

const FormatWriter& hdf5_writer() {
  static const FormatWriter writer{"hdf5", {".h5", ".hdf5"}, {"none", "gzip", "blosc-lz4", "blosc-zstd"}, "none", write_hdf5};
  return writer;
}


}  // namespace strata
