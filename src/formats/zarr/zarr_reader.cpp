#include "formats/zarr/zarr_format.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "codecs/blosc.hpp"
#include "codecs/byte_order.hpp"
#include "codecs/deflate.hpp"
#include "codecs/gzip.hpp"
#include "codecs/zstd.hpp"
#include "formats/lazy_chunk_table.hpp"
#include "formats/zarr/chunk_files.hpp"
#include "formats/zarr/ome_zarr.hpp"
#include "formats/zarr/zarr_metadata.hpp"
#include "formats/zarr/zarr_v3_reader.hpp"
#include "io/chunk_io.hpp"
#include "io/file.hpp"
#include "model/serialize.hpp"
#include "strata/error.hpp"
#include "strata/grid.hpp"

namespace strata {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The chunks meeting `region` (array coordinates): their boxes by grid arithmetic, and a
// stat of each one's key for whether and how much it stores.
ChunkTable build_chunk_table(const std::string& array_dir, const zarr::ArrayMeta& meta, const Box& region) {
  ChunkTable table;
  table.files = {array_dir};
  table.codecs = {meta.codec};
  table.chunk_shape = meta.chunks;
  table.fill = meta.fill;
  const ChunkGrid grid{meta.shape, meta.chunks};
  const std::optional<Box> positions = grid.meeting(region);
  if (!positions) return table;
  if (positions->count() > max_listed_chunks)
    throw Error(array_dir, "zarr: a read meeting " + std::to_string(positions->count()) +
                               " chunks; strata lists at most " + std::to_string(max_listed_chunks) + " at once");
  table.chunks.reserve(static_cast<std::size_t>(positions->count()));
  zarr::ChunkFiles files(array_dir);
  Index at = positions->start;
  do {
    ChunkRef c;
    c.box = grid.box(at);
    c.key = meta.chunk_key(at);
    if (const std::int64_t size = files.size(c.key); size >= 0)
      c.segments = {ByteRange{0, static_cast<std::uint64_t>(size)}};
    table.chunks.push_back(std::move(c));
  } while (next_in(at, *positions));
  return table;
}

class ZarrDriver final : public Driver {
 public:
  // Opened, or restored without a table: the chunks are listed on first use. Restored with
  // a table: rank 0's listing of the chunks a read needs (save_for).
  ZarrDriver(ArrayInfo info, zarr::ArrayMeta meta, std::string array_dir)
      : info_(std::move(info)), meta_(std::move(meta)), array_dir_(std::move(array_dir)), table_([this] {
          return build_chunk_table(array_dir_, meta_, Box::whole(meta_.shape));
        }) {}
  ZarrDriver(ArrayInfo info, zarr::ArrayMeta meta, ChunkTable table)
      : info_(std::move(info)), meta_(std::move(meta)), array_dir_(table.files.at(0)), table_(std::move(table)) {}

  const ArrayInfo& info() const override { return info_; }
  const ChunkTable& chunks() const override { return table_.get(); }
  ChunkSummary summary() const override {
    return {static_cast<std::uint64_t>(ChunkGrid{meta_.shape, meta_.chunks}.count()), zarr::stored_bytes(array_dir_),
            meta_.chunks, {array_dir_}, {meta_.codec}};
  }

  ChunkTable chunks_for(const Box& box) const override { return build_chunk_table(array_dir_, meta_, box); }
  std::uint64_t chunk_count(const Box& box) const override {
    const std::optional<Box> positions = ChunkGrid{meta_.shape, meta_.chunks}.meeting(box);
    return positions ? static_cast<std::uint64_t>(positions->count()) : 0;
  }

  std::string save() const override { return to_bytes(json{{"info", info_}, {"zarr", meta_}, {"dir", array_dir_}}); }
  std::string save_for(const Box& box) const override {
    return to_bytes(json{{"info", info_}, {"zarr", meta_}, {"chunks", chunks_for(box)}});
  }

 private:
  void decode(const ChunkRef& chunk, const Box& region, const View& dest) const override {
    const std::string path = array_dir_ + "/" + chunk.key;
    if (meta_.chunk_bytes() > static_cast<long double>(zarr::max_chunk_bytes))
      throw Error("", "its chunks of " + index_text(meta_.chunks) +
                          " elements are too large to decode (more than 16 GiB each)");
    const ChunkGrid grid{meta_.shape, meta_.chunks};
    const Box full = grid.full_box(grid.position(chunk.box.start));
    io::decode_into(dest, region, full, decoded_strides(), [&](std::span<std::byte> decoded) {
      const std::uint64_t stored_size = chunk.segments.front().size;
      if (meta_.compressor == zarr::Compressor::none && stored_size == decoded.size()) {
        io::read_file(path, decoded);  // no codec: the file's bytes are the elements
      } else {
        const std::span<std::byte> stored = io::scratch(io::Scratch::stored, stored_size);
        io::read_file(path, stored);
        decode(stored, decoded);
      }
      if (meta_.swap_bytes) codecs::swap_bytes(decoded, size_of(info_.dtype));
    });
  }

  // Byte strides of a decoded chunk's elements: C order (empty) or Fortran order.
  std::vector<std::int64_t> decoded_strides() const {
    if (!meta_.fortran_order) return {};
    Shape reversed(meta_.chunks.rbegin(), meta_.chunks.rend());
    std::vector<std::int64_t> strides = c_strides(reversed, static_cast<std::int64_t>(size_of(info_.dtype)));
    return {strides.rbegin(), strides.rend()};
  }

  void decode(std::span<const std::byte> stored, std::span<std::byte> out) const {
    switch (meta_.compressor) {
      case zarr::Compressor::blosc: codecs::blosc_decode(stored, out); return;
      case zarr::Compressor::zlib: codecs::inflate_zlib(stored, out); return;
      case zarr::Compressor::gzip:
        // z5 (z5py) writes zlib streams under "gzip" and reads either, as zlib's header
        // auto-detection does; the gzip magic number tells them apart.
        if (stored.size() >= 2 && stored[0] == std::byte{0x1f} && stored[1] == std::byte{0x8b})
          codecs::inflate_gzip(stored, out);
        else
          codecs::inflate_zlib(stored, out);
        return;
      case zarr::Compressor::zstd: codecs::decompress_zstd(stored, out); return;
      case zarr::Compressor::none: break;
    }
    if (stored.size() != out.size())
      throw Error("", "uncompressed chunk has " + std::to_string(stored.size()) + " bytes, expected " +
                          std::to_string(out.size()));
    std::memcpy(out.data(), stored.data(), out.size());
  }

  ArrayInfo info_;
  zarr::ArrayMeta meta_;
  std::string array_dir_;
  LazyChunkTable table_;
};

std::unique_ptr<Driver> open_zarr(const std::string& path, const OpenOptions& options) {
  try {
    const zarr::ImageLocation location = zarr::locate_image(path, options.level);
    if (location.zarr_format == 3) return zarr::open_v3_array(location);
    const std::string zarray_path = location.array_dir + "/.zarray";
    const zarr::ArrayMeta meta = zarr::parse_zarray(zarr::read_json(zarray_path), zarray_path);
    return std::make_unique<ZarrDriver>(zarr::array_info(location, meta.shape, meta.dtype), meta, location.array_dir);
  } catch (const json::exception& e) {
    // Metadata of the wrong JSON type somewhere nlohmann was asked for a value.
    throw Error(path, std::string("invalid Zarr metadata: ") + e.what());
  }
}

std::unique_ptr<Driver> restore_zarr(std::string_view saved) {
  const json state = from_bytes(saved);
  try {
    if (zarr::is_v3_state(state)) return zarr::restore_v3_array(state);
    auto info = state.at("info").get<ArrayInfo>();
    auto meta = state.at("zarr").get<zarr::ArrayMeta>();
    if (!state.contains("chunks"))
      return std::make_unique<ZarrDriver>(std::move(info), std::move(meta), state.at("dir").get<std::string>());
    return std::make_unique<ZarrDriver>(std::move(info), std::move(meta), state.at("chunks").get<ChunkTable>());
  } catch (const json::exception& e) {
    throw Error("", std::string("corrupt zarr driver state: ") + e.what());
  }
}

bool recognizes_zarr(const std::string& path, std::span<const std::byte>) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return false;
  for (const char* name : {".zarray", ".zgroup", ".zattrs", "zarr.json"})
    if (fs::exists(fs::path(path) / name, ec)) return true;
  return false;
}

}  // namespace

const Format& zarr_format() {
  static const Format format{"zarr", &recognizes_zarr, &open_zarr, &restore_zarr, &zarr_writer()};
  return format;
}

}  // namespace strata
