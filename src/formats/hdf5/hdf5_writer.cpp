// HDF5 (.h5): one chunked dataset "/data" that every rank writes at once through parallel
// HDF5 (MPI-IO). One chunk holds one plane, so a rank's planes fill whole chunks that no
// other rank touches: what compressed (filtered) collective writes need; uncompressed
// planes are written independently (see properties()). Dims are dimension-scale labels
// and voxel sizes `element_size_um`, which is how strata's HDF5 reader, h5py users and
// ilastik-style readers find them.
#include <fcntl.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include "codecs/blosc.hpp"
#include "formats/hdf5/blosc_filter.hpp"
#include "formats/hdf5/hdf5_api.hpp"
#include "mpi/comm.hpp"
#include "mpi/hints.hpp"
#include "formats/format_writer.hpp"
#include "strata/error.hpp"

namespace strata {
namespace {

using hdf5::check;
using hdf5::Id;

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
    check(H5Pset_shuffle(dcpl), kUnnamed, "HDF5: cannot add the shuffle filter");
    check(H5Pset_deflate(dcpl, 1), kUnnamed, "HDF5: cannot add the deflate filter");
  } else if (codec == "blosc-lz4" || codec == "blosc-zstd") {
    const std::string_view cname = codec.substr(codec.find('-') + 1);
    if (!codecs::blosc_has_compressor(cname))
      throw Error(kUnnamed,
                  "this libblosc lacks " + std::string(cname) + " (it has " + codecs::blosc_compressors() + ")");
    const std::array<unsigned, 7> values{0, 0, 0, 0, kBloscLevel, kBloscShuffle,
                                         cname == "lz4" ? kBloscLz4 : kBloscZstd};
    // Optional, as hdf5plugin sets it: a chunk Blosc cannot compress (over 2 GiB) is stored
    // as it is rather than failing one rank inside a collective write.
    check(H5Pset_filter(dcpl, hdf5::kBloscFilterId, H5Z_FLAG_OPTIONAL, values.size(), values.data()), kUnnamed,
          "HDF5: cannot add the Blosc filter");
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
  p.file_access = Id(check(H5Pcreate(H5P_FILE_ACCESS), kUnnamed, "HDF5: cannot create a file access list"));
  const mpi::Hints hints(std::vector<std::pair<std::string, std::string>>{{"cb_buffer_size", "4194304"}});  // HDF5 keeps a copy
  check(H5Pset_fapl_mpio(p.file_access.get(), comm.get(), hints.get()), kUnnamed, "HDF5: cannot select MPI-IO");

  p.creation = Id(check(H5Pcreate(H5P_DATASET_CREATE), kUnnamed, "HDF5: cannot create a dataset creation list"));
  const std::vector<hsize_t> chunk = plane_chunk(slab);
  check(H5Pset_chunk(p.creation.get(), static_cast<int>(chunk.size()), chunk.data()), kUnnamed,
        "HDF5: cannot chunk by plane");
  // Every element is written: filling allocated chunks first would write them twice.
  check(H5Pset_fill_time(p.creation.get(), H5D_FILL_TIME_NEVER), kUnnamed, "HDF5: cannot set the fill time");
  add_codec(p.creation.get(), codec);

  p.transfer = Id(check(H5Pcreate(H5P_DATASET_XFER), kUnnamed, "HDF5: cannot create a transfer list"));
  // HDF5 compresses chunks only in collective writes. Without compression every rank
  // writes its own planes' bytes where they go: independent writes skip the aggregation
  // step, which made collective writes of the same data 3-13 times slower here.
  check(H5Pset_dxpl_mpio(p.transfer.get(), codec == "none" ? H5FD_MPIO_INDEPENDENT : H5FD_MPIO_COLLECTIVE),
        kUnnamed, "HDF5: cannot set the transfer mode");

  const std::vector<hsize_t> dims = hsizes(slab.shape);
  p.space = Id(check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), kUnnamed,
                     "HDF5: cannot create the dataspace"));
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

void write_attribute(hid_t dataset, const char* name, const std::vector<double>& values) {
  const hsize_t count = values.size();
  Id space(check(H5Screate_simple(1, &count, nullptr), kUnnamed, "HDF5: cannot create an attribute dataspace"));
  Id attribute(check(H5Acreate2(dataset, name, H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), kUnnamed,
                     "HDF5: cannot create an attribute"));
  check(H5Awrite(attribute.get(), H5T_NATIVE_DOUBLE, values.data()), kUnnamed, "HDF5: cannot write an attribute");
}

// Collective (every rank, the same arguments): the dataset, its labels and attributes.
Id create_dataset(hid_t file, const ArrayInfo& info, const Properties& p) {
  Id dataset(check(H5Dcreate2(file, "/data", hdf5::little_endian_type(info.dtype), p.space.get(), H5P_DEFAULT,
                              p.creation.get(), H5P_DEFAULT),
                   kUnnamed, "HDF5: cannot create the dataset /data"));
  for (std::size_t i = 0; i < info.dims.size(); ++i) {
    const char label[2] = {info.dims[i], '\0'};
    check(H5DSset_label(dataset.get(), static_cast<unsigned>(i), label), kUnnamed, "HDF5: cannot label a dimension");
  }
  if (const std::vector<double> sizes = element_size_um(info); !sizes.empty())
    write_attribute(dataset.get(), "element_size_um", sizes);
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
  s.file = Id(check(H5Dget_space(dataset), kUnnamed, "HDF5: cannot read the dataspace"));
  if (!piece) {
    check(H5Sselect_none(s.file.get()), kUnnamed, "HDF5: cannot clear a selection");
    s.memory = Id(check(H5Scopy(s.file.get()), kUnnamed, "HDF5: cannot copy a selection"));
    return s;
  }
  const std::vector<hsize_t> start = hsizes(piece->box.start), count = hsizes(piece->box.shape());
  check(H5Sselect_hyperslab(s.file.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr), kUnnamed,
        "HDF5: cannot select planes");
  s.memory = Id(check(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), kUnnamed,
                      "HDF5: cannot create a memory dataspace"));
  return s;
}

// Closes `id` now. Closing flushes what HDF5 still holds, so its failure is the write's;
// Id's reset() (H5Idec_ref) reports it only on the error stack.
void close_now(Id& id, const char* what) {
  id.reset();
  if (const std::string stack = hdf5::error_stack_message(); !stack.empty())
    throw Error(kUnnamed, std::string(what) + ": " + stack);
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
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw Error(kUnnamed, std::string("cannot open to reserve space: ") + std::strerror(errno));
  // KEEP_SIZE: HDF5 sees the file's size unchanged; release_space() frees what is unused.
  const int failed = ::fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, static_cast<off_t>(bytes));
  const int error = errno;
  ::close(fd);
  if (failed && (error == ENOSPC || error == EDQUOT))
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
  auto lock = hdf5::hdf5_lock();  // declared first: released after every Id below is closed
  // Each collective HDF5 call is preceded by an agreement on the local work before it and
  // followed by one on its outcome, so a rank never enters a collective the others skip.
  Properties p;
  mpi::agreed(comm, [&] { p = properties(comm, slab, codec); });
  Id file;
  mpi::agreed(comm, [&] {
    file = Id(check(H5Fcreate(path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, p.file_access.get()), kUnnamed,
                    "HDF5: cannot create the file"));
  });
  Id dataset;
  mpi::agreed(comm, [&] { dataset = create_dataset(file.get(), info, p); });
  mpi::agreed(comm, [&] {
    if (comm.rank() == 0) reserve_space(path, info, slab);
  });

  const hid_t type = hdf5::little_endian_type(slab.dtype);  // the file's type: no conversion
  const std::vector<Piece> own = pieces(slab);
  const std::uint64_t writes = comm.max(std::uint64_t{own.size()});  // every rank makes as many calls
  const std::byte unused{};
  for (std::size_t i = 0; i < writes; ++i) {
    const Piece* piece = i < own.size() ? &own[i] : nullptr;
    Selection s;
    mpi::agreed(comm, [&] { s = select(dataset.get(), piece); });
    const std::byte* data = piece ? slab.data.data() + piece->offset : &unused;
    mpi::agreed(comm, [&] {
      check(H5Dwrite(dataset.get(), type, s.memory.get(), s.file.get(), p.transfer.get(), data), kUnnamed,
            "HDF5: cannot write /data");
    });
  }
  mpi::agreed(comm, [&] {
    close_now(dataset, "HDF5: cannot close /data");
    close_now(file, "HDF5: cannot close the file");
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
