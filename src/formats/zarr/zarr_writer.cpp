// The Zarr v2 / OME-Zarr output. Rank 0 creates the image group and writes its metadata;
// then every rank encodes each window of its own planes, one chunk file each ("0/t/c/z/0/0"),
// on its threads with one scratch buffer per thread.
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <span>

#include "codecs/blosc.hpp"
#include "codecs/gzip.hpp"
#include "codecs/zstd.hpp"
#include "exec/parallel_for.hpp"
#include "exec/resources.hpp"
#include "formats/zarr/zarr_metadata.hpp"
#include "io/output_file.hpp"
#include "mpi/comm.hpp"
#include "formats/format_writer.hpp"
#include "formats/zarr/zarr_writer_metadata.hpp"
#include "strata/error.hpp"
#include "strata/grid.hpp"

namespace strata {
namespace {

using nlohmann::json;

void make_dir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0777) != 0) throw Error(dir, std::string("cannot create folder: ") + std::strerror(errno));
}

// Creates `dir` and its missing parents. Ranks and threads race to create the same ones,
// so a folder that already exists is fine.
void make_dirs(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0777) == 0 || errno == EEXIST) return;
  const auto slash = dir.rfind('/');
  if (errno == ENOENT && slash != std::string::npos && slash > 0) {
    make_dirs(dir.substr(0, slash));
    if (::mkdir(dir.c_str(), 0777) == 0 || errno == EEXIST) return;
  }
  throw Error("", "cannot create folder " + dir + ": " + std::strerror(errno));
}

void write_file(const std::string& file, std::span<const std::byte> bytes) {
  io::OutputFile out(file, O_WRONLY | O_CREAT | O_TRUNC);
  out.write_at(bytes, 0);
  out.close();
}

// As zarr-python writes metadata: sorted keys, indented by 4, ASCII only.
void write_json(const std::string& file, const json& document) {
  const std::string text = document.dump(4, ' ', true) + "\n";
  annotated({file, {}, {}, {}}, [&] { write_file(file, std::as_bytes(std::span(text))); });
}

// How chunks are encoded, taken from the `.zarray` compressor so that the file states
// exactly what was done.
struct ChunkCodec {
  std::string id;  // "blosc", "gzip", "zstd"; empty for none
  std::string cname;
  int level = 0;   // Blosc's clevel, or the gzip and zstd level
  int shuffle = 0;
  std::size_t blocksize = 0;
  std::size_t typesize = 1;

  static ChunkCodec from(const json& compressor, DType dtype) {
    ChunkCodec c;
    c.typesize = size_of(dtype);
    if (compressor.is_null()) return c;
    c.id = compressor.at("id").get<std::string>();
    if (c.id == "blosc") {
      c.cname = compressor.at("cname").get<std::string>();
      c.level = compressor.at("clevel").get<int>();
      c.shuffle = compressor.at("shuffle").get<int>();
      c.blocksize = compressor.at("blocksize").get<std::size_t>();
    } else {
      c.level = compressor.at("level").get<int>();
    }
    return c;
  }

  // Scratch bytes that encoding a chunk of `bytes` bytes may need.
  std::size_t bound(std::size_t bytes) const {
    if (id == "blosc") return codecs::blosc_encode_bound(bytes);
    if (id == "gzip") return codecs::gzip_compress_bound(bytes);
    if (id == "zstd") return codecs::zstd_compress_bound(bytes);
    return 0;
  }

  // The encoded chunk: `chunk` itself without a compressor, else the start of `scratch`.
  std::span<const std::byte> encode(std::span<const std::byte> chunk, std::span<std::byte> scratch) const {
    if (id == "blosc")
      return scratch.first(codecs::blosc_encode(chunk, scratch, {cname, level, shuffle, typesize, blocksize}));
    if (id == "gzip") return scratch.first(codecs::deflate_gzip(chunk, scratch, level));
    if (id == "zstd") return scratch.first(codecs::compress_zstd(chunk, scratch, level));
    return chunk;
  }
};

// The chunk grid position of plane `plane`: its index over the leading axes, then zeros.
Index chunk_index(std::int64_t plane, const Shape& shape, int plane_axes) {
  Index index = unravel(plane, Shape(shape.begin(), shape.end() - plane_axes));
  index.resize(shape.size(), 0);
  return index;
}

// Encodes planes [begin, begin + planes) from `planes` (C order), one chunk file each, on
// `threads` threads with one scratch buffer per thread.
void write_chunks(const std::string& array_dir, const zarr::ArrayMeta& meta, const ChunkCodec& codec,
                  const View& planes, std::int64_t begin, int plane_axes, int threads) {
  const std::int64_t count = planes.shape.empty() ? 0 : planes.shape.front();
  const std::size_t chunk_bytes = count ? planes.bytes() / static_cast<std::size_t>(count) : 0;
  if (chunk_bytes == 0) return;  // empty chunks: zarr has nothing to read from them
  std::vector<Buffer> scratch(static_cast<std::size_t>(threads));
  exec::parallel_for(static_cast<std::size_t>(count), threads, [&](std::size_t i, int worker) {
    const auto index = chunk_index(begin + static_cast<std::int64_t>(i), meta.shape, plane_axes);
    const std::string file = array_dir + "/" + meta.chunk_key(index);
    annotated({file, {}, {}, {}}, [&] {
      Buffer& buffer = scratch[static_cast<std::size_t>(worker)];
      if (buffer.size() == 0) buffer = Buffer(codec.bound(chunk_bytes));
      const std::span<const std::byte> chunk(planes.data + i * chunk_bytes, chunk_bytes);
      const auto encoded = codec.encode(chunk, {buffer.data(), buffer.size()});
      make_dirs(file.substr(0, file.rfind('/')));
      write_file(file, encoded);
    });
  });
}

std::int64_t zarr_plane_group(const OutputSpec& spec) {
  if (spec.levels > 1) throw Error("", "pyramids (levels) are not written to .zarr yet");
  if (spec.zarr_format != 2 || !spec.shard.empty()) throw Error("", "Zarr v3 (and shards) are not written yet");
  return 1;
}

// Rank 0 writes the metadata at open; windows are chunk files, which need no other rank.
class ZarrStream final : public OutputStream {
 public:
  ZarrStream(const mpi::Comm& comm, const OutputSpec& spec)
      : array_dir_(spec.path + "/" + std::string(zarr::kZarrArrayName)), plane_axes_(spec.plane_axes) {
    mpi::agreed(comm, [&] {
      const zarr::ZarrDocuments documents = zarr::zarr_documents(spec.info, spec.plane_axes, spec.codec);
      // Read back as the Zarr reader will: the chunk keys then come from the same code.
      meta_ = zarr::parse_zarray(documents.zarray, array_dir_ + "/.zarray");
      codec_ = ChunkCodec::from(documents.zarray.at("compressor"), spec.info.dtype);
      if (comm.rank() != 0) return;
      make_dir(spec.path);
      make_dir(array_dir_);
      write_json(spec.path + "/.zgroup", documents.zgroup);
      write_json(spec.path + "/.zattrs", documents.zattrs);
      write_json(array_dir_ + "/.zarray", documents.zarray);
    });
    threads_ = exec::threads_per_rank(comm.ranks_on_node());
  }

  void write(const mpi::Comm& comm, const PlaneWindow& window) override {
    mpi::agreed(comm, [&] {
      write_chunks(array_dir_, meta_, codec_, window.levels.front(), window.plane_begin, plane_axes_, threads_);
    });
  }

  void finish(const mpi::Comm&) override {}

 private:
  std::string array_dir_;
  int plane_axes_;
  zarr::ArrayMeta meta_;
  ChunkCodec codec_;
  int threads_ = 1;
};

std::unique_ptr<OutputStream> open_zarr(const mpi::Comm& comm, const OutputSpec& spec,
                                        const std::vector<std::int64_t>&) {
  return std::make_unique<ZarrStream>(comm, spec);
}

}  // namespace

const FormatWriter& zarr_writer() {
  static const FormatWriter writer{"zarr", {".zarr"}, zarr::zarr_codecs(), zarr::zarr_codecs().front(),
                                   zarr_plane_group, open_zarr};
  return writer;
}

}  // namespace strata
