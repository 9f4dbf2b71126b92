#include "formats/zarr/zarr_v3_reader.hpp"

#include <bit>
#include <cstring>
#include <limits>
#include <optional>

#include "codecs/blosc.hpp"
#include "codecs/byte_order.hpp"
#include "codecs/crc32c.hpp"
#include "codecs/gzip.hpp"
#include "codecs/zstd.hpp"
#include "formats/lazy_chunk_table.hpp"
#include "formats/zarr/chunk_files.hpp"
#include "io/chunk_io.hpp"
#include "io/file.hpp"
#include "model/serialize.hpp"
#include "strata/error.hpp"
#include "strata/grid.hpp"

namespace strata::zarr {
namespace {

using nlohmann::json;

constexpr std::uint64_t absent = std::numeric_limits<std::uint64_t>::max();

std::uint64_t load_u64(const std::byte* p, bool big_endian) {
  std::uint64_t v = 0;
  for (int k = 0; k < 8; ++k) {
    const auto b = static_cast<std::uint64_t>(p[k]);
    v |= big_endian ? b << (8 * (7 - k)) : b << (8 * k);
  }
  return v;
}

// Fills the table's segments from one shard (or chunk) stored at `range` of `file`: walks
// nested shard indexes down to the chunks that are decoded as one piece, skipping what does
// not meet `region`. The table holds the chunks at the grid positions `leaves`, in C order.
class ShardWalker {
 public:
  ShardWalker(const V3ArrayMeta& meta, ChunkTable& table, const Box& region, const Box& leaves)
      : meta_(meta), table_(table), leaf_grid_{meta.shape, meta.leaf_chunk()}, region_(region), leaves_(leaves) {}

  // `file_index`: the file's place in the table's files.
  void walk(const io::File& file, std::uint32_t file_index, ByteRange range, const V3Codecs& codecs, const Index& origin,
            const Shape& shape) {
    for (std::size_t i = 0; i < origin.size(); ++i)
      if (origin[i] >= meta_.shape[i] || origin[i] >= region_.stop[i] || origin[i] + shape[i] <= region_.start[i])
        return;  // wholly outside the array (shards larger than it) or the region
    if (!codecs.sharding) {
      Index position = leaf_grid_.position(origin);
      for (std::size_t i = 0; i < position.size(); ++i) position[i] -= leaves_.start[i];
      const auto at = static_cast<std::size_t>(linear_index(position, leaves_.shape()));
      ChunkRef& chunk = table_.chunks.at(at);
      chunk.segments = {range};
      chunk.file = file_index;
      return;
    }
    const V3Sharding& s = *codecs.sharding;
    Shape per_shard(shape.size());
    std::uint64_t count = 1;
    bool fits = true;
    for (std::size_t i = 0; i < shape.size(); ++i) {
      per_shard[i] = shape[i] / s.inner[i];  // >= 1: the parser checked that inner divides shape
      const auto n = static_cast<std::uint64_t>(per_shard[i]);
      if (count > (range.size / 16) / n) fits = false;
      if (!fits) break;
      count *= n;
    }
    const std::uint64_t checksums = static_cast<std::uint64_t>(s.index_codecs.crc32c_inner + s.index_codecs.crc32c_outer);
    if (!fits || 16 * count + 4 * checksums > range.size)
      throw Error(file.path(), "shard at bytes " + std::to_string(range.offset) + "+" + std::to_string(range.size) +
                                   " is too small for its index of " + (fits ? std::to_string(count) : std::string("that many")) + " inner chunks");
    const std::uint64_t index_bytes = 16 * count + 4 * checksums;
    std::vector<std::byte> index(index_bytes);
    const std::uint64_t index_offset = s.index_at_start ? range.offset : range.offset + range.size - index_bytes;
    file.read_at(index, index_offset);
    std::span<const std::byte> entries(index);
    for (std::uint64_t k = 0; k < checksums; ++k) {
      try {
        entries = codecs::verify_crc32c(entries);
      } catch (const Error& e) {
        throw Error(file.path(), "shard index at byte " + std::to_string(index_offset) + ": " + e.cause());
      }
    }
    const bool big = s.index_codecs.big_endian;
    Index inner_origin(origin.size());
    const Box positions = Box::whole(per_shard);
    Index p = positions.start;
    std::uint64_t k = 0;
    do {
      const std::uint64_t offset = load_u64(entries.data() + 16 * k, big);
      const std::uint64_t nbytes = load_u64(entries.data() + 16 * k + 8, big);
      ++k;
      if (offset == absent && nbytes == absent) continue;  // inner chunk not stored: fill value
      if (offset > range.size || nbytes > range.size - offset)
        throw Error(file.path(), "shard index entry " + index_text(p) + " points at bytes " + std::to_string(offset) +
                                     "+" + std::to_string(nbytes) + ", beyond the shard's " +
                                     std::to_string(range.size) + " bytes");
      for (std::size_t i = 0; i < origin.size(); ++i) inner_origin[i] = origin[i] + p[i] * s.inner[i];
      walk(file, file_index, ByteRange{range.offset + offset, nbytes}, s.codecs, inner_origin, s.inner);
    } while (next_in(p, positions));
  }

 private:
  const V3ArrayMeta& meta_;
  ChunkTable& table_;
  ChunkGrid leaf_grid_;
  Box region_;
  Box leaves_;
};

class ZarrV3Driver final : public Driver {
 public:
  // Opened, or restored without a table: the chunks are listed on first use. Restored with a
  // table: rank 0's listing of the chunks a read needs (save_for).
  ZarrV3Driver(ArrayInfo info, json metadata, std::string metadata_path, std::string array_dir,
               std::optional<ChunkTable> table)
      : info_(std::move(info)),
        metadata_(std::move(metadata)),
        metadata_path_(std::move(metadata_path)),
        meta_(parse_v3_array(metadata_, metadata_path_)),
        array_dir_(std::move(array_dir)),
        table_([this, restored = std::move(table)]() mutable {
          ChunkTable listed =
              restored ? std::move(*restored) : build_v3_chunk_table(array_dir_, meta_, Box::whole(meta_.shape));
          for (std::size_t i = 1; i < listed.files.size(); ++i)
            shards_.push_back(std::make_unique<io::File>(listed.files[i]));
          return listed;
        }),
        leaf_shape_(meta_.leaf_chunk()),
        leaf_(meta_.leaf_codecs()) {
    if (!leaf_.order.empty()) {
      // Stored axis i is chunk axis order[i]: the chunk's axis order[i] steps by stored stride i.
      Shape stored(leaf_shape_.size());
      for (std::size_t i = 0; i < stored.size(); ++i) stored[i] = leaf_shape_[leaf_.order[i]];
      const auto c = c_strides(stored, static_cast<std::int64_t>(size_of(info_.dtype)));
      strides_.resize(stored.size());
      for (std::size_t i = 0; i < stored.size(); ++i) strides_[leaf_.order[i]] = c[i];
    }
  }

  const ArrayInfo& info() const override { return info_; }
  const ChunkTable& chunks() const override { return table_.get(); }
  ChunkSummary summary() const override {
    // A sharded array's files are its shards, found only by listing: the folder stands for them.
    return {static_cast<std::uint64_t>(ChunkGrid{meta_.shape, leaf_shape_}.count()), stored_bytes(array_dir_),
            leaf_shape_, {array_dir_}, {meta_.codecs.description}};
  }
  const io::File* shared_file(std::uint32_t index) const override {
    chunks();  // shards_ is filled with the table
    return index >= 1 && index <= shards_.size() ? shards_[index - 1].get() : nullptr;
  }

  ChunkTable chunks_for(const Box& box) const override { return build_v3_chunk_table(array_dir_, meta_, box); }
  std::uint64_t chunk_count(const Box& box) const override {
    const std::optional<Box> positions = ChunkGrid{meta_.shape, leaf_shape_}.meeting(box);
    return positions ? static_cast<std::uint64_t>(positions->count()) : 0;
  }

  std::string save() const override {
    return to_bytes(json{{"info", info_}, {"zarr3", metadata_}, {"zarr3_path", metadata_path_}, {"dir", array_dir_}});
  }
  std::string save_for(const Box& box) const override {
    return to_bytes(
        json{{"info", info_}, {"zarr3", metadata_}, {"zarr3_path", metadata_path_}, {"chunks", chunks_for(box)}});
  }

 private:
  void decode(const ChunkRef& chunk, const Box& region, const View& dest) const override {
    const ChunkGrid grid{meta_.shape, leaf_shape_};
    const Box full = grid.full_box(grid.position(chunk.box.start));
    const ByteRange range = chunk.segments.front();
    // A shard held open (shared_file), or the chunk's own file, opened for this read.
    std::optional<io::File> own;
    const io::File& file =
        chunk.file == 0 ? own.emplace(array_dir_ + "/" + chunk.key) : *shards_.at(chunk.file - 1);
    io::decode_into(dest, region, full, strides_, [&](std::span<std::byte> decoded) {
      if (leaf_.compressor == V3Compressor::none && leaf_.crc32c_inner + leaf_.crc32c_outer == 0 &&
          range.size == decoded.size()) {
        file.read_at(decoded, range.offset);  // the stored bytes are the elements
      } else {
        undo_bytes_codecs(file.view(range, io::scratch(io::Scratch::stored, range.size)), decoded);
      }
      if (leaf_.big_endian != (std::endian::native == std::endian::big))
        codecs::swap_bytes(decoded, size_of(info_.dtype));
    });
  }

  // The bytes->bytes codecs undone, last first: checksums after the compressor, the
  // compressor (into `out` itself unless checksums were taken before it), checksums before.
  void undo_bytes_codecs(std::span<const std::byte> stored, std::span<std::byte> out) const {
    std::span<const std::byte> data = stored;
    for (int k = 0; k < leaf_.crc32c_outer; ++k) data = codecs::verify_crc32c(data);
    const std::size_t inner_checksums = 4 * static_cast<std::size_t>(leaf_.crc32c_inner);
    const std::span<std::byte> target =
        inner_checksums == 0 ? out : io::scratch(io::Scratch::stage_a, out.size() + inner_checksums);
    switch (leaf_.compressor) {
      case V3Compressor::gzip: codecs::inflate_gzip(data, target); break;
      case V3Compressor::zstd: codecs::decompress_zstd(data, target); break;
      case V3Compressor::blosc: codecs::blosc_decode(data, target); break;
      case V3Compressor::none:
        if (data.size() != target.size())
          throw Error("", "uncompressed chunk has " + std::to_string(data.size()) + " bytes, expected " +
                              std::to_string(target.size()));
        std::memcpy(target.data(), data.data(), target.size());
        break;
    }
    if (inner_checksums == 0) return;
    std::span<const std::byte> body = target;
    for (int k = 0; k < leaf_.crc32c_inner; ++k) body = codecs::verify_crc32c(body);
    std::memcpy(out.data(), body.data(), out.size());
  }

  ArrayInfo info_;
  json metadata_;  // zarr.json without its attributes: what restore parses again
  std::string metadata_path_;
  V3ArrayMeta meta_;
  std::string array_dir_;
  mutable std::vector<std::unique_ptr<io::File>> shards_;  // the table's files[1...] (listed with it), opened on first use
  LazyChunkTable table_;
  Shape leaf_shape_;
  V3Codecs leaf_;
  std::vector<std::int64_t> strides_;  // byte strides of a decoded chunk; empty: C order
};

json without_attributes(json metadata) {
  if (metadata.is_object()) metadata.erase("attributes");
  return metadata;
}

}  // namespace

ChunkTable build_v3_chunk_table(const std::string& array_dir, const V3ArrayMeta& meta, const Box& region) {
  ChunkTable table;
  table.files = {array_dir};  // chunk files are keys under it; shard files follow it
  table.codecs = {meta.codecs.description};
  table.chunk_shape = meta.leaf_chunk();
  table.fill = meta.fill;
  const ChunkGrid leaf_grid{meta.shape, table.chunk_shape};
  const ChunkGrid outer_grid{meta.shape, meta.chunks};
  const std::optional<Box> positions = leaf_grid.meeting(region);
  if (!positions) return table;
  if (positions->count() > max_listed_chunks)
    throw Error(array_dir, "zarr: a read meeting " + std::to_string(positions->count()) +
                               " chunks; strata lists at most " + std::to_string(max_listed_chunks) + " at once");
  table.chunks.reserve(static_cast<std::size_t>(positions->count()));
  Index at = positions->start;
  do {
    ChunkRef c;
    c.box = leaf_grid.box(at);
    c.key = meta.chunk_key(outer_grid.position(c.box.start));
    table.chunks.push_back(std::move(c));
  } while (next_in(at, *positions));

  ShardWalker walker(meta, table, region, *positions);
  ChunkFiles files(array_dir);
  // Only the shards (or chunk files) the region meets are looked at, their indexes read.
  const Box shards = *outer_grid.meeting(region);
  at = shards.start;
  do {
    const std::string key = meta.chunk_key(at);
    const std::string path = files.path(key);
    const std::int64_t size = files.size(key);
    if (size < 0) continue;  // never written: its chunks read as the fill value
    const io::File file(path);
    // A shard is a file of the table, which each rank opens once, at its first chunk there;
    // a chunk file is read whole, by its key, and closed.
    std::uint32_t index = 0;
    if (meta.codecs.sharding) {
      index = static_cast<std::uint32_t>(table.files.size());
      table.files.push_back(path);
    }
    walker.walk(file, index, ByteRange{0, static_cast<std::uint64_t>(size)}, meta.codecs, outer_grid.box(at).start,
                meta.chunks);
  } while (next_in(at, shards));
  return table;
}

std::unique_ptr<Driver> open_v3_array(const ImageLocation& location) {
  const std::string path = location.array_dir + "/zarr.json";
  json metadata = without_attributes(read_json(path));
  const V3ArrayMeta meta = parse_v3_array(metadata, path);
  const Shape shard = meta.codecs.sharding ? meta.chunks : Shape{};
  return std::make_unique<ZarrV3Driver>(array_info(location, meta.shape, meta.dtype, shard), std::move(metadata), path,
                                        location.array_dir, std::nullopt);
}

bool is_v3_state(const json& state) { return state.is_object() && state.contains("zarr3"); }

std::unique_ptr<Driver> restore_v3_array(const json& state) {
  std::optional<ChunkTable> table;
  if (state.contains("chunks")) table = state.at("chunks").get<ChunkTable>();
  std::string array_dir = table ? table->files.at(0) : state.at("dir").get<std::string>();
  return std::make_unique<ZarrV3Driver>(state.at("info").get<ArrayInfo>(), state.at("zarr3"),
                                        state.at("zarr3_path").get<std::string>(), std::move(array_dir),
                                        std::move(table));
}

}  // namespace strata::zarr
