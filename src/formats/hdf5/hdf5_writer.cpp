// HDF5 (.h5): one chunked dataset "/data" that every rank writes at once through parallel
// HDF5 (MPI-IO). One chunk holds one plane, so a rank's planes fill whole chunks that no
// other rank touches: what compressed (filtered) collective writes need; uncompressed
// planes are written independently (see properties()). Dims are dimension-scale labels
// and voxel sizes `element_size_um`, which is how strata's HDF5 reader, h5py users and
// ilastik-style readers find them.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>

#include "codecs/blosc.hpp"
#include "codecs/deflate.hpp"
#include "codecs/shuffle.hpp"
#include "exec/deadline.hpp"
#include "exec/parallel_for.hpp"
#include "exec/resources.hpp"
#include "formats/hdf5/api/attribute.hpp"
#include "formats/hdf5/api/dataset.hpp"
#include "formats/hdf5/api/dataspace.hpp"
#include "formats/hdf5/api/datatype.hpp"
#include "formats/hdf5/api/file.hpp"
#include "formats/hdf5/api/filter.hpp"
#include "formats/hdf5/api/property_list.hpp"
#include "io/output_file.hpp"
#include "io/temporary.hpp"
#include "model/fault.hpp"
#include "mpi/comm.hpp"
#include "mpi/hints.hpp"
#include "formats/format_writer.hpp"
#include "strata/error.hpp"
#include "strata/grid.hpp"
#include "strata/slab.hpp"

namespace strata {
namespace {

namespace api = hdf5::api;
using api::Id;

// Errors name no file: the caller names the destination rather than the temporary.
const std::string kUnnamed;

// How long closing may take after a failure (it writes a few KiB of headers) before the rank
// gives up on ranks that wait inside HDF5 and ends the job (exec::Deadline).
constexpr std::chrono::seconds kCloseAfterFailure{10};

// The most bytes of whole planes one H5Dwrite carries (see pieces()).
constexpr std::uint64_t kBytesPerWrite = std::uint64_t{32} << 20;

// As hdf5plugin.Blosc and PyTables write them: level 5, byte shuffle; slots 0-3 are
// filled in by the filter when the dataset is created.
constexpr unsigned kBloscLevel = 5;
constexpr unsigned kBloscShuffle = 1;
constexpr unsigned kBloscLz4 = 1;
constexpr unsigned kBloscZstd = 5;
// h5py's compression="gzip" default (compression_opts=4) is slower than what strata wrote
// before (level 1, kept): libdeflate at 1 compresses a little better than zlib at 1.
constexpr int kDeflateLevel = 1;

bool in_micrometers(const std::string& unit) {
  return unit.empty() || unit == "\u00b5m" || unit == "\u03bcm" || unit == "um";
}

std::vector<hsize_t> hsizes(const std::vector<std::int64_t>& values) { return {values.begin(), values.end()}; }

// Chunks of one plane: 1 on the leading axes, whole on the plane's axes.
std::vector<hsize_t> plane_chunk(const Shape& shape, int plane_axes) {
  std::vector<hsize_t> chunk(shape.size(), 1);
  for (std::size_t i = shape.size() - static_cast<std::size_t>(plane_axes); i < chunk.size(); ++i)
    chunk[i] = static_cast<hsize_t>(std::max<std::int64_t>(shape[i], 1));
  return chunk;
}

void add_codec(hid_t dcpl, std::string_view codec) {
  if (codec == "gzip") {  // h5py's compression="gzip", compression_opts=1, shuffle=True
    api::plist_set_shuffle(dcpl, kUnnamed);
    api::plist_set_deflate(dcpl, kDeflateLevel, kUnnamed);
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
Properties properties(const mpi::Comm& comm, const OutputSpec& spec) {
  const std::string_view codec = spec.codec;
  Properties p;
  p.file_access = api::plist_create(api::PropertyList::file_access, kUnnamed);
  if (codec == "none") {  // compressed chunks are funnelled to rank 0 instead (see Hdf5Stream)
    const mpi::Hints hints(std::vector<std::pair<std::string, std::string>>{{"cb_buffer_size", "4194304"}});  // HDF5 keeps a copy
    api::plist_set_mpio(p.file_access.get(), comm.get(), hints.get(), kUnnamed);
  }

  p.creation = api::plist_create(api::PropertyList::dataset_creation, kUnnamed);
  api::plist_set_chunk(p.creation.get(), plane_chunk(spec.info.shape, spec.plane_axes), kUnnamed);
  // Every element is written: filling allocated chunks first would write them twice.
  api::plist_set_fill_time_never(p.creation.get(), kUnnamed);
  add_codec(p.creation.get(), codec);

  p.transfer = api::plist_create(api::PropertyList::transfer, kUnnamed);
  // Every rank writes its own planes' bytes where they go: independent writes skip the
  // aggregation step, which made collective writes of the same data 3-13 times slower here.
  api::plist_set_collective(p.transfer.get(), false, kUnnamed);

  p.space = api::dataspace_create(hsizes(spec.info.shape), kUnnamed);
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

// A window's planes as the pieces this rank writes, in order. At most kBytesPerWrite each
// (or one plane): HDF5's filtered path copies every chunk of one write before compressing
// it, so this bounds the memory a write adds, and MPI-IO transfers stay far below 2 GiB.
// Each piece is one box because HDF5 maps a memory selection whose shape differs from the
// file's to chunks element by element, which is slower than the disk.
std::vector<Piece> pieces(const OutputSpec& spec, const PlaneWindow& window) {
  const std::size_t plane_bytes =
      static_cast<std::size_t>(element_count(Shape(spec.info.shape.end() - spec.plane_axes, spec.info.shape.end()))) *
      size_of(spec.info.dtype);
  const auto per_write = std::max<std::int64_t>(1, static_cast<std::int64_t>(kBytesPerWrite / std::max<std::size_t>(plane_bytes, 1)));
  std::vector<Piece> out;
  std::size_t offset = 0;
  for (std::int64_t begin = window.plane_begin; begin < window.plane_end; begin += per_write) {
    const std::int64_t end = std::min(begin + per_write, window.plane_end);
    for (Box& box : plane_range_boxes(spec.info.shape, spec.plane_axes, begin, end)) {
      const std::size_t bytes = static_cast<std::size_t>(box.count()) * size_of(spec.info.dtype);
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

// Disk space for the file, taken before the data moves. A write that runs out of space
// fails inside HDF5's collective calls on some ranks only (the others then wait in OMPIO for
// ever), and a close whose flush fails leaves HDF5 1.10 holding a half-freed file that
// crashes it at MPI_Finalize. Best effort: file systems without fallocate skip.

// Uncompressed, rank 0 reserves every chunk at open, with the margins that kept collective
// writes off a full disk here. Compressed, it reserves as it stores, each window's chunks
// once compressed: what will be written, not the raw size, so an output that fits
// compressed is not refused; a failure there is rank 0's alone (no collective call), agreed.
// Either way the chunk index (64 bytes a plane: the B-tree's entries) and the headers.
std::uint64_t bytes_to_reserve(const OutputSpec& spec, std::uint64_t stored_bytes) {
  const std::uint64_t index = 64 * static_cast<std::uint64_t>(plane_count(spec.info.shape, spec.plane_axes));
  if (spec.codec != "none") return stored_bytes + index + (64u << 10);
  const std::uint64_t data = spec.info.decoded_bytes();
  return data + data / 256 + index + (1u << 20);
}

[[noreturn]] void refuse_space(std::uint64_t bytes, int error) {
  throw Error(kUnnamed, "not enough disk space (or quota) for " + std::to_string(bytes) + " bytes: " +
                            std::strerror(error));
}

// Before the file exists: a disk that cannot hold what will be reserved is refused while
// there is nothing to close (closing the created file writes its headers: on a full disk that
// is the collective failure above).
void check_space(const OutputSpec& spec) {
  struct statvfs disk {};
  const std::string folder = std::filesystem::path(spec.path).parent_path().string();
  if (::statvfs(folder.empty() ? "." : folder.c_str(), &disk) != 0) return;  // reserve() says more
  const std::uint64_t bytes = bytes_to_reserve(spec, 0);
  if (static_cast<std::uint64_t>(disk.f_bavail) * disk.f_frsize < bytes) refuse_space(bytes, ENOSPC);
}

// Reserves bytes_to_reserve() in the file; KEEP_SIZE: HDF5 sees the file's size unchanged,
// release_space() frees what is unused.
void reserve_space(const OutputSpec& spec, std::uint64_t stored_bytes) {
  const std::uint64_t bytes = bytes_to_reserve(spec, stored_bytes);
  const int error = io::OutputFile(spec.path, O_WRONLY).reserve(bytes);
  if (error == ENOSPC || error == EDQUOT) refuse_space(bytes, error);
}

// Frees the reserved blocks past the end of the finished file (truncating to its size).
void release_space(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || ::truncate(path.c_str(), st.st_size) != 0)
    throw Error(kUnnamed, std::string("cannot release the space reserved past its end: ") + std::strerror(errno));
}

std::int64_t hdf5_plane_group(const OutputSpec& spec) {
  if (spec.levels > 1) throw Error("", "pyramids (levels) are written to .zarr and .ome.tif, not .h5");
  if (!spec.shard.empty() || spec.zarr_format != 2) throw Error("", "zarr_format and shards apply to .zarr outputs");
  // h5py spells these as an enum and a custom float; strata's reader does not read them back yet.
  if (spec.info.dtype == DType::float16 || spec.info.dtype == DType::bool_)
    throw Error("", "the hdf5 output does not store " + std::string(name(spec.info.dtype)) + " yet; write .zarr or .npy");
  return 1;
}

// A window's planes compressed as the dataset's filters would store them (one chunk per
// plane): chunk j is bytes [bounds[j], bounds[j + 1]) of data.
struct EncodedChunks {
  std::vector<std::uint64_t> bounds{0};
  std::vector<std::byte> data;
};

// Compresses each plane of `planes` on `threads` threads: gzip is HDF5's shuffle then a zlib
// stream (libdeflate, at the level the filter records); blosc is one Blosc buffer, as the
// HDF5 Blosc filter stores it. Plane j goes into its own slot, then slots are packed.
EncodedChunks encode_chunks(const OutputSpec& spec, const View& planes, std::int64_t count, int threads) {
  const std::size_t element = size_of(spec.info.dtype);
  const std::size_t plane_bytes = count > 0 ? planes.bytes() / static_cast<std::size_t>(count) : 0;
  const bool gzip = spec.codec == "gzip";
  const std::size_t bound = gzip ? codecs::zlib_compress_bound(plane_bytes) : codecs::blosc_encode_bound(plane_bytes);
  const std::size_t planes_count = static_cast<std::size_t>(count);
  EncodedChunks out;
  out.data.resize(planes_count * bound);
  std::vector<std::uint64_t> sizes(planes_count);
  std::vector<std::byte> shuffled(gzip ? static_cast<std::size_t>(threads) * plane_bytes : 0);
  codecs::BloscOptions blosc;
  blosc.cname = spec.codec.substr(spec.codec.find('-') + 1) == "lz4" ? "lz4" : "zstd";
  blosc.clevel = kBloscLevel;
  blosc.shuffle = kBloscShuffle;
  blosc.typesize = element;
  exec::parallel_for(planes_count, threads, [&](std::size_t j, int thread) {
    const std::span<const std::byte> raw(planes.data + j * plane_bytes, plane_bytes);
    const std::span<std::byte> slot(out.data.data() + j * bound, bound);
    if (gzip) {
      const std::span<std::byte> scratch(shuffled.data() + static_cast<std::size_t>(thread) * plane_bytes, plane_bytes);
      codecs::shuffle(raw, scratch, element);
      sizes[j] = codecs::deflate_zlib(scratch, slot, kDeflateLevel);
    } else {
      sizes[j] = codecs::blosc_encode(raw, slot, blosc);
    }
  });
  for (std::size_t j = 0; j < planes_count; ++j) {  // pack: each slot moves down, never past a later one
    std::memmove(out.data.data() + out.bounds.back(), out.data.data() + j * bound, sizes[j]);
    out.bounds.push_back(out.bounds.back() + sizes[j]);
  }
  out.data.resize(out.bounds.back());
  return out;
}

void send_chunks(const mpi::Comm& comm, const EncodedChunks& chunks) {
  comm.send(std::as_bytes(std::span(chunks.bounds)), 0);
  comm.send(chunks.data, 0);
}

EncodedChunks receive_chunks(const mpi::Comm& comm, int from) {
  EncodedChunks chunks;
  const std::vector<std::byte> bounds = comm.receive(from);
  chunks.bounds.resize(bounds.size() / sizeof(std::uint64_t));
  std::memcpy(chunks.bounds.data(), bounds.data(), bounds.size());
  chunks.data = comm.receive(from);
  return chunks;
}

// Uncompressed, every rank writes its planes through parallel HDF5 (MPI-IO), each
// collective HDF5 call preceded by an agreement on the local work before it and followed by
// one on its outcome, so a rank never enters a collective the others skip.
//
// Compressed, each rank compresses its window's chunks on its threads (HDF5's own filters
// run on one thread inside the collective write, about 68 MB/s per rank) and sends them to
// rank 0, which alone has the file open (without MPI-IO) and stores them as they are with
// direct chunk writes: HDF5 1.10 fails those under MPI-IO, and chunk allocation changes
// metadata that parallel HDF5 only changes collectively (docs/hdf5.md). Rank 0 takes the
// ranks' windows one after the other: it holds its own and one other's compressed window.
//
// HDF5's lock is held only inside each call: the stream's decode threads may need it to
// read an HDF5 source meanwhile.
class Hdf5Stream final : public OutputStream {
 public:
  Hdf5Stream(const mpi::Comm& comm, const OutputSpec& spec)
      : spec_(spec), funnel_(spec.codec != "none"), threads_(exec::threads_per_rank(comm.ranks_on_node())) {
    const bool opens = !funnel_ || comm.rank() == 0;
    {
      auto lock = api::hdf5_lock();
      mpi::agreed(comm, [&] {
        if (comm.rank() == 0) check_space(spec_);
      });
      mpi::agreed(comm, [&] { p_ = properties(comm, spec_); });  // collective: MPI_Comm_dup
      mpi::agreed(comm, [&] {
        if (opens) file_ = api::file_create(spec_.path, p_.file_access.get(), kUnnamed);
      });
    }
    try {
      auto lock = api::hdf5_lock();
      mpi::agreed(comm, [&] {
        if (opens) dataset_ = create_dataset(file_.get(), spec_.info, p_);
      });
      mpi::agreed(comm, [&] {
        if (comm.rank() == 0 && !funnel_) reserve_space(spec_, 0);
      });
    } catch (const Error& e) {
      abandon(comm, e);  // the file exists: closing it is collective, and may fail
      throw;
    }
  }

  ~Hdf5Stream() override {
    auto lock = api::hdf5_lock();
    dataset_ = Id();
    file_ = Id();
    p_ = Properties();
  }

  void abandon(const mpi::Comm& comm, const Error& failure) override { close(comm, &failure); }

  void write(const mpi::Comm& comm, const PlaneWindow& window) override {
    if (funnel_)
      write_compressed(comm, window);
    else
      write_parallel(comm, window);
  }

  void finish(const mpi::Comm& comm) override {
    close(comm, nullptr);
    mpi::agreed(comm, [&] {
      if (comm.rank() == 0) release_space(spec_.path);
    });
  }

 private:
  // Closes the dataset and the file, which flushes what HDF5 still holds (metadata): a failure
  // is the write's, or comes on top of `handling`, the failure being abandoned. Compressed,
  // rank 0 alone has the file: agreed. Under MPI-IO the close is collective inside HDF5: a
  // rank that fails there (a full disk: HDF5's metadata writes run on some ranks only) cannot
  // tell the others, which wait inside the call, and HDF5 1.10 keeps a half-closed file that
  // crashes MPI_Finalize: UnagreedFailure, which ends the job (write_output), naming
  // `handling` when there is one (the cause the user needs).
  void close(const mpi::Comm& comm, const Error* handling) {
    auto lock = api::hdf5_lock();
    auto close_both = [&] {
      inject_fault(FaultPhase::close);
      if (dataset_) dataset_.close(kUnnamed);
      if (file_) file_.close(kUnnamed);
    };
    if (funnel_) {
      if (handling) {  // a failure is already on its way: the close's own is not worth more
        dataset_ = Id();
        file_ = Id();
      } else {
        mpi::agreed(comm, close_both);
      }
      return;
    }
    // After a failure, closing writes only headers: a close that overstays waits for ranks
    // that will not come (one rank's metadata write failed inside the call).
    std::optional<exec::Deadline> deadline;
    if (handling)
      deadline.emplace(kCloseAfterFailure, [&] {
        Error shown(*handling);
        shown.add_context({spec_.destination, "hdf5", "writing", {}});
        std::fputs(error_line(shown.what()).c_str(), stderr);
        io::remove_temporary(spec_.path);
      }, 2);
    try {
      close_both();
    } catch (const Error& e) {
      throw UnagreedFailure(handling ? *handling : e);
    }
  }

  void write_parallel(const mpi::Comm& comm, const PlaneWindow& window) {
    auto lock = api::hdf5_lock();
    const hid_t type = api::little_endian_type(spec_.info.dtype);  // the file's type: no conversion
    std::vector<Piece> own;
    mpi::agreed(comm, [&] { own = pieces(spec_, window); });
    const std::uint64_t writes = comm.max(std::uint64_t{own.size()});  // every rank makes as many calls
    const std::byte unused{};
    for (std::size_t i = 0; i < writes; ++i) {
      const Piece* piece = i < own.size() ? &own[i] : nullptr;
      Selection s;
      mpi::agreed(comm, [&] { s = select(dataset_.get(), piece); });
      const std::byte* data = piece ? window.levels.front().data + piece->offset : &unused;
      mpi::agreed(comm, [&] {
        api::dataset_write(dataset_.get(), type, s.memory.get(), s.file.get(), p_.transfer.get(), data, kUnnamed);
      });
    }
  }

  void write_compressed(const mpi::Comm& comm, const PlaneWindow& window) {
    EncodedChunks own;
    mpi::agreed(comm, [&] { own = encode_chunks(spec_, window.levels.front(), window.planes(), threads_); });
    // Which planes each rank's window holds: rank 0 must know where every chunk goes.
    const std::vector<std::uint64_t> begins = comm.all_gather(static_cast<std::uint64_t>(window.plane_begin));
    if (comm.rank() != 0) {
      mpi::agreed(comm, [&] { send_chunks(comm, own); });
      return;
    }
    // Every rank's chunks are received even after a failed write, so that no sender waits.
    std::exception_ptr failure;
    auto store = [&](const EncodedChunks& chunks, std::int64_t first) {
      if (failure) return;
      try {
        store_chunks(chunks, first);
      } catch (...) {
        failure = std::current_exception();
      }
    };
    store(own, window.plane_begin);
    own = EncodedChunks();
    for (int r = 1; r < comm.size(); ++r) {
      try {
        const EncodedChunks chunks = receive_chunks(comm, r);
        store(chunks, static_cast<std::int64_t>(begins[static_cast<std::size_t>(r)]));
      } catch (...) {
        if (!failure) failure = std::current_exception();
      }
    }
    comm.agree(failure);
  }

  // Rank 0: writes `chunks`, the compressed planes first, first + 1, ...
  void store_chunks(const EncodedChunks& chunks, std::int64_t first) {
    stored_bytes_ += chunks.data.size();
    reserve_space(spec_, stored_bytes_);
    auto lock = api::hdf5_lock();
    const Shape leading(spec_.info.shape.begin(), spec_.info.shape.end() - spec_.plane_axes);
    std::vector<hsize_t> offset(spec_.info.shape.size(), 0);
    for (std::size_t j = 0; j + 1 < chunks.bounds.size(); ++j) {
      const Index plane = unravel(first + static_cast<std::int64_t>(j), leading);
      std::copy(plane.begin(), plane.end(), offset.begin());
      api::dataset_write_chunk(dataset_.get(), offset,
                               std::span(chunks.data).subspan(chunks.bounds[j], chunks.bounds[j + 1] - chunks.bounds[j]),
                               kUnnamed);
    }
  }

  OutputSpec spec_;
  bool funnel_;
  int threads_;
  Properties p_;
  Id file_, dataset_;
  std::uint64_t stored_bytes_ = 0;  // compressed chunks handed to HDF5 so far (rank 0)
};

std::unique_ptr<OutputStream> open_hdf5(const mpi::Comm& comm, const OutputSpec& spec,
                                        const std::vector<std::int64_t>&) {
  return std::make_unique<Hdf5Stream>(comm, spec);
}

}  // namespace

const FormatWriter& hdf5_writer() {
  static const FormatWriter writer{"hdf5", "HDF5 file", {".h5", ".hdf5"}, {"none", "gzip", "blosc-lz4", "blosc-zstd"}, "none",
                                   hdf5_plane_group, open_hdf5};
  return writer;
}


}  // namespace strata
