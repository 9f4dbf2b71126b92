// The Zarr / OME-Zarr output, v2 or v3, one array per pyramid level. Rank 0 creates the
// image group and writes every metadata file at open; then every rank encodes each window
// of its own planes at every level on its threads: one chunk file per plane ("0/t/c/z/0/0",
// v3 "0/c/t/c/z/0/0"), or with shards one file per shard, assembled in memory and written
// with one write by the one rank that holds all its planes (plane_group keeps shards whole).
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
#include "formats/format_writer.hpp"
#include "formats/zarr/zarr_metadata.hpp"
#include "formats/zarr/zarr_shard_index.hpp"
#include "formats/zarr/zarr_v3_metadata.hpp"
#include "formats/zarr/zarr_writer_metadata.hpp"
#include "io/output_file.hpp"
#include "model/pyramid.hpp"
#include "mpi/comm.hpp"
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

// How chunks are encoded: zarr_compression, the same settings the metadata states.
struct ChunkCodec {
  zarr::Compression c;
  std::size_t typesize = 1;

  // Scratch bytes that encoding a chunk of `bytes` bytes may need; without a compressor the
  // chunk itself (a shard copies it into place).
  std::size_t bound(std::size_t bytes) const {
    if (c.id == "blosc") return codecs::blosc_encode_bound(bytes);
    if (c.id == "gzip") return codecs::gzip_compress_bound(bytes);
    if (c.id == "zstd") return codecs::zstd_compress_bound(bytes);
    return bytes;
  }

  // The encoded chunk: `chunk` itself without a compressor, else the start of `scratch`.
  std::span<const std::byte> encode(std::span<const std::byte> chunk, std::span<std::byte> scratch) const {
    if (c.id == "blosc")
      return scratch.first(codecs::blosc_encode(chunk, scratch, {c.cname, c.level, c.shuffle, typesize, c.blocksize}));
    if (c.id == "gzip") return scratch.first(codecs::deflate_gzip(chunk, scratch, c.level));
    if (c.id == "zstd") return scratch.first(codecs::compress_zstd(chunk, scratch, c.level));
    return chunk;
  }
};

// One level's array: where its files go and how they are named.
struct LevelArray {
  std::string dir;          // OUT.zarr/k
  Shape shape;              // the level's shape
  int plane_axes = 2;
  std::int64_t shard_planes = 0;  // planes along the innermost leading axis per shard; 0: not sharded
  zarr::ArrayMeta v2;       // v2: the parsed .zarray (its chunk keys)
  zarr::V3ArrayMeta v3;     // v3: the parsed zarr.json (its chunk keys)
  bool is_v3 = false;

  // The file of the grid chunk (plane or shard) at `position`.
  std::string file(const Index& position) const {
    return dir + "/" + (is_v3 ? v3.chunk_key(position) : v2.chunk_key(position));
  }
  std::size_t lead_rank() const { return shape.size() - static_cast<std::size_t>(plane_axes); }
  // The position of plane `plane` in the grid of planes: its leading index, then zeros.
  Index plane_position(std::int64_t plane) const {
    Index index = unravel(plane, Shape(shape.begin(), shape.begin() + static_cast<std::ptrdiff_t>(lead_rank())));
    index.resize(shape.size(), 0);
    return index;
  }
};

// Each plane of `planes` (C order, planes [begin, ...)) to its own chunk file, on `threads`
// threads with one scratch buffer per thread.
void write_plane_chunks(const LevelArray& level, const ChunkCodec& codec, const View& planes, std::int64_t begin,
                        int threads, std::vector<Buffer>& scratch) {
  const std::int64_t count = planes.shape.empty() ? 0 : planes.shape.front();
  const std::size_t chunk_bytes = count ? planes.bytes() / static_cast<std::size_t>(count) : 0;
  if (chunk_bytes == 0) return;  // empty chunks: zarr has nothing to read from them
  scratch.resize(std::max(scratch.size(), static_cast<std::size_t>(threads)));
  exec::parallel_for(static_cast<std::size_t>(count), threads, [&](std::size_t i, int worker) {
    const std::string file = level.file(level.plane_position(begin + static_cast<std::int64_t>(i)));
    annotated({file, {}, {}, {}}, [&] {
      Buffer& buffer = scratch[static_cast<std::size_t>(worker)];
      if (buffer.size() < codec.bound(chunk_bytes)) buffer = Buffer(codec.bound(chunk_bytes));
      const std::span<const std::byte> chunk(planes.data + i * chunk_bytes, chunk_bytes);
      const auto encoded = codec.encode(chunk, {buffer.data(), buffer.size()});
      make_dirs(file.substr(0, file.rfind('/')));
      write_file(file, encoded);
    });
  });
}

// The window's planes as whole shards, one file each: the inner chunks encoded on
// `threads` threads into their slots of `scratch`, packed one after the other, the index
// after them, written in one write.
void write_shards(const LevelArray& level, const ChunkCodec& codec, const View& planes, std::int64_t begin,
                  int threads, Buffer& scratch) {
  const std::int64_t count = planes.shape.empty() ? 0 : planes.shape.front();
  const std::size_t chunk_bytes = count ? planes.bytes() / static_cast<std::size_t>(count) : 0;
  if (chunk_bytes == 0) return;
  const std::size_t lead = level.lead_rank();
  const std::int64_t extent = lead ? level.shape[lead - 1] : 1;  // along the sharded axis
  const std::int64_t n = level.shard_planes;
  const std::size_t slot = codec.bound(chunk_bytes);
  // Slots for the planes a shard can hold inside the array (a shard may reach beyond it).
  const std::size_t needed = static_cast<std::size_t>(std::min(n, extent)) * slot +
                             zarr::shard_index_bytes(static_cast<std::size_t>(n));
  if (scratch.size() < needed) scratch = Buffer(needed);
  std::vector<zarr::ShardEntry> entries(static_cast<std::size_t>(n));
  for (std::int64_t at = 0; at < count;) {
    Index position = level.plane_position(begin + at);
    const std::int64_t z = lead ? position[lead - 1] : 0;
    const std::int64_t planes_here = std::min(n, extent - z);
    if (z % n != 0 || at + planes_here > count)
      throw Error("", "internal: a window splits a shard at plane " + std::to_string(begin + at));
    if (lead) position[lead - 1] = z / n;
    const std::string file = level.file(position);
    annotated({file, {}, {}, {}}, [&] {
      const std::byte* first = planes.data + static_cast<std::size_t>(at) * chunk_bytes;
      exec::parallel_for(static_cast<std::size_t>(planes_here), threads, [&](std::size_t i, int) {
        const std::span<const std::byte> chunk(first + i * chunk_bytes, chunk_bytes);
        const std::span<std::byte> into(scratch.data() + i * slot, slot);
        const auto encoded = codec.encode(chunk, into);
        if (encoded.data() != into.data()) std::memcpy(into.data(), encoded.data(), encoded.size());
        entries[i].nbytes = encoded.size();
      });
      // Packed in place: each chunk moves towards the start, never past a later one's slot.
      std::uint64_t offset = 0;
      for (std::size_t i = 0; i < entries.size(); ++i) {
        if (i >= static_cast<std::size_t>(planes_here)) {
          entries[i] = {};  // beyond the array: absent
          continue;
        }
        if (offset != i * slot) std::memmove(scratch.data() + offset, scratch.data() + i * slot, entries[i].nbytes);
        entries[i].offset = offset;
        offset += entries[i].nbytes;
      }
      const std::size_t index_bytes = zarr::shard_index_bytes(entries.size());
      zarr::encode_shard_index(entries, {scratch.data() + offset, index_bytes});
      make_dirs(file.substr(0, file.rfind('/')));
      write_file(file, {scratch.data(), offset + index_bytes});
    });
    at += planes_here;
  }
}

std::int64_t zarr_plane_group(const OutputSpec& spec) { return zarr::zarr_shard_planes(spec); }

// Rank 0 writes the metadata at open; windows are chunk or shard files, which need no
// other rank.
class ZarrStream final : public OutputStream {
 public:
  ZarrStream(const mpi::Comm& comm, const OutputSpec& spec) {
    mpi::agreed(comm, [&] {
      const zarr::ZarrDocuments documents = zarr::zarr_documents(spec);
      codec_ = {zarr::zarr_compression(spec.codec), size_of(spec.info.dtype)};
      const std::int64_t shard_planes = spec.shard.empty() ? 0 : zarr::zarr_shard_planes(spec);
      for (int k = 0; k < spec.levels; ++k) {
        LevelArray level;
        level.dir = spec.path + "/" + zarr::level_name(k);
        level.shape = level_shape(spec.info.shape, spec.plane_axes, k);
        level.plane_axes = spec.plane_axes;
        level.shard_planes = shard_planes;
        level.is_v3 = spec.zarr_format == 3;
        // Read back as the Zarr reader will: the chunk keys then come from the same code.
        const json& doc = documents.levels[static_cast<std::size_t>(k)];
        if (level.is_v3)
          level.v3 = zarr::parse_v3_array(doc, level.dir + "/zarr.json");
        else
          level.v2 = zarr::parse_zarray(doc, level.dir + "/.zarray");
        levels_.push_back(std::move(level));
      }
      if (comm.rank() != 0) return;
      make_dir(spec.path);
      for (const auto& level : levels_) make_dir(level.dir);
      for (const auto& [file, document] : documents.files) write_json(spec.path + "/" + file, document);
    });
    threads_ = exec::threads_per_rank(comm.ranks_on_node());
  }

  void write(const mpi::Comm& comm, const PlaneWindow& window) override {
    mpi::agreed(comm, [&] {
      for (std::size_t k = 0; k < levels_.size(); ++k) {
        const LevelArray& level = levels_[k];
        if (level.shard_planes)
          write_shards(level, codec_, window.levels.at(k), window.plane_begin, threads_, shard_scratch_);
        else
          write_plane_chunks(level, codec_, window.levels.at(k), window.plane_begin, threads_, scratch_);
      }
    });
  }

  void finish(const mpi::Comm&) override {}

 private:
  std::vector<LevelArray> levels_;
  ChunkCodec codec_;
  int threads_ = 1;
  std::vector<Buffer> scratch_;  // one per thread, for chunk files
  Buffer shard_scratch_;         // one shard being assembled
};

std::unique_ptr<OutputStream> open_zarr(const mpi::Comm& comm, const OutputSpec& spec,
                                        const std::vector<std::int64_t>&) {
  return std::make_unique<ZarrStream>(comm, spec);
}

}  // namespace

const FormatWriter& zarr_writer() {
  static const FormatWriter writer{"zarr", "Zarr store (a folder with .zarray, .zgroup, .zattrs or zarr.json)", {".zarr"}, zarr::zarr_codecs(), zarr::zarr_codecs().front(),
                                   zarr_plane_group, open_zarr};
  return writer;
}

}  // namespace strata
