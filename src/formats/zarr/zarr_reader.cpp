#include "formats/zarr/zarr_format.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
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
#include "formats/zarr/ome_zarr.hpp"
#include "formats/zarr/zarr_metadata.hpp"
#include "model/serialize.hpp"
#include "strata/error.hpp"

namespace strata {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Calls fn(first element, count, byte stride) for every innermost row of `v`.
template <typename Fn>
void for_each_row(const View& v, std::size_t dim, std::byte* base, Fn& fn) {
  if (v.rank() == 0) {
    fn(base, std::int64_t{1}, std::int64_t{0});
    return;
  }
  if (dim + 1 == v.rank()) {
    fn(base, v.shape[dim], v.byte_strides[dim]);
    return;
  }
  for (std::int64_t i = 0; i < v.shape[dim]; ++i) for_each_row(v, dim + 1, base + i * v.byte_strides[dim], fn);
}

void fill(const View& dest, std::span<const std::uint8_t> value) {
  if (dest.count() == 0) return;
  const auto item = static_cast<std::int64_t>(value.size());
  const bool zero = std::all_of(value.begin(), value.end(), [](std::uint8_t b) { return b == 0; });
  auto fill_row = [&](std::byte* row, std::int64_t n, std::int64_t stride) {
    if (zero && stride == item) {
      std::memset(row, 0, static_cast<std::size_t>(n * item));
      return;
    }
    for (std::int64_t i = 0; i < n; ++i) std::memcpy(row + i * stride, value.data(), value.size());
  };
  for_each_row(dest, 0, dest.data, fill_row);
}

// Reads the first out.size() bytes of the file at `path` into `out`.
void read_file(const std::string& path, std::span<std::byte> out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error("", std::string("cannot open: ") + std::strerror(errno));
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = n < 0 ? std::strerror(errno) : "the file ended after " + std::to_string(done) + " of " +
                                                                 std::to_string(out.size()) + " bytes";
      ::close(fd);
      throw Error("", "cannot read: " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

// Per-thread buffers reused across chunks: decode threads never share them.
std::span<std::byte> thread_buffer(std::vector<std::byte>& buffer, std::size_t bytes) {
  if (buffer.size() < bytes) buffer.resize(bytes);
  return {buffer.data(), bytes};
}

// The codecs return the bytes they wrote, or nullopt for more than fit: a chunk must
// decode to exactly its size.
void expect_size(const char* codec, std::optional<std::size_t> written, std::size_t expected) {
  if (!written) throw Error("", std::string(codec) + ": chunk decodes to more than " + std::to_string(expected) + " bytes");
  if (*written != expected)
    throw Error("", std::string(codec) + ": chunk decodes to " + std::to_string(*written) + " bytes, expected " +
                        std::to_string(expected));
}

std::string index_text(const std::vector<std::int64_t>& index) {
  std::string s = "(";
  for (std::size_t i = 0; i < index.size(); ++i) s += (i ? "," : "") + std::to_string(index[i]);
  return s + ")";
}

ChunkTable build_chunk_table(const std::string& array_dir, const zarr::ArrayMeta& meta) {
  ChunkTable table;
  table.files = {array_dir};
  table.codecs = {meta.codec};
  const Shape grid = meta.grid();
  const std::int64_t count = element_count(grid);
  const std::size_t rank = grid.size();
  table.chunks.reserve(static_cast<std::size_t>(count));
  std::vector<std::int64_t> index(rank, 0);
  for (std::int64_t linear = 0; linear < count; ++linear) {
    ChunkRef c;
    c.locator = static_cast<std::uint64_t>(linear);
    c.box.start.resize(rank);
    c.box.stop.resize(rank);
    for (std::size_t i = 0; i < rank; ++i) {
      c.box.start[i] = index[i] * meta.chunks[i];
      c.box.stop[i] = std::min(c.box.start[i] + meta.chunks[i], meta.shape[i]);
    }
    const std::string path = array_dir + "/" + meta.chunk_key(index);
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
      if (!S_ISREG(st.st_mode)) throw Error(path, "a chunk key that is not a file");
      c.segments = {ByteRange{0, static_cast<std::uint64_t>(st.st_size)}};
    } else if (errno != ENOENT) {
      throw Error(path, std::string("cannot stat chunk: ") + std::strerror(errno));
    }
    table.chunks.push_back(std::move(c));
    // Next grid position in C order.
    for (std::size_t i = rank; i-- > 0;) {
      if (++index[i] < grid[i]) break;
      index[i] = 0;
    }
  }
  return table;
}

class ZarrDriver final : public Driver {
 public:
  ZarrDriver(ArrayInfo info, zarr::ArrayMeta meta, ChunkTable table)
      : info_(std::move(info)), meta_(std::move(meta)), table_(std::move(table)) {}

  const ArrayInfo& info() const override { return info_; }
  const ChunkTable& chunks() const override { return table_; }

  void read_chunk(const ChunkRef& chunk, const Box& region, const View& dest) const override {
    const std::vector<std::int64_t> index = grid_index(chunk);
    const std::string path = table_.files.at(chunk.file) + "/" + meta_.chunk_key(index);
    try {
      if (!chunk.box.contains(region) || dest.shape != region.shape() || dest.dtype != info_.dtype)
        throw Error("", "region " + region.to_string() + " (" + std::string(name(dest.dtype)) +
                            ") does not fit chunk " + chunk.box.to_string() + " (" + std::string(name(info_.dtype)) + ")");
      if (chunk.segments.empty())
        fill(dest, meta_.fill);
      else
        read_stored(chunk, index, path, region, dest);
    } catch (const Error& e) {
      throw Error(path, "reading zarr chunk " + index_text(index) + ": " + e.cause());
    }
  }

  std::string save() const override {
    return to_bytes(json{{"info", info_}, {"zarr", meta_}, {"chunks", table_}});
  }

 private:
  std::vector<std::int64_t> grid_index(const ChunkRef& chunk) const {
    if (chunk.box.rank() != meta_.chunks.size())
      throw Error(table_.files.at(chunk.file), "chunk " + chunk.box.to_string() + " has the wrong rank");
    std::vector<std::int64_t> index(chunk.box.rank());
    for (std::size_t i = 0; i < index.size(); ++i) index[i] = chunk.box.start[i] / meta_.chunks[i];
    return index;
  }

  // The elements of a decoded chunk, in the order the file stores them (C or F).
  View chunk_view(std::span<std::byte> decoded) const {
    View v{decoded.data(), info_.dtype, meta_.chunks, std::vector<std::int64_t>(meta_.chunks.size())};
    auto stride = static_cast<std::int64_t>(size_of(info_.dtype));
    const std::size_t rank = meta_.chunks.size();
    for (std::size_t k = 0; k < rank; ++k) {
      const std::size_t axis = meta_.fortran_order ? k : rank - 1 - k;
      v.byte_strides[axis] = stride;
      stride *= meta_.chunks[axis];
    }
    return v;
  }

  void decode(std::span<const std::byte> stored, std::span<std::byte> out) const {
    switch (meta_.compressor) {
      case zarr::Compressor::blosc: codecs::blosc_decode(stored, out); return;
      case zarr::Compressor::zlib: expect_size("zlib", codecs::inflate_zlib(stored, out), out.size()); return;
      case zarr::Compressor::gzip:
        // z5 (z5py) writes zlib streams under "gzip" and reads either, as zlib's header
        // auto-detection does; the gzip magic number tells them apart.
        if (stored.size() >= 2 && stored[0] == std::byte{0x1f} && stored[1] == std::byte{0x8b})
          expect_size("gzip", codecs::inflate_gzip(stored, out), out.size());
        else
          expect_size("zlib", codecs::inflate_zlib(stored, out), out.size());
        return;
      case zarr::Compressor::zstd: expect_size("zstd", codecs::decompress_zstd(stored, out), out.size()); return;
      case zarr::Compressor::none: break;
    }
    if (stored.size() != out.size())
      throw Error("", "uncompressed chunk has " + std::to_string(stored.size()) + " bytes, expected " +
                          std::to_string(out.size()));
    std::memcpy(out.data(), stored.data(), out.size());
  }

  void read_stored(const ChunkRef& chunk, const std::vector<std::int64_t>& index, const std::string& path,
                   const Box& region, const View& dest) const {
    thread_local std::vector<std::byte> stored_buffer;
    thread_local std::vector<std::byte> decoded_buffer;
    Box whole{std::vector<std::int64_t>(index.size()), std::vector<std::int64_t>(index.size())};
    for (std::size_t i = 0; i < index.size(); ++i) {
      whole.start[i] = index[i] * meta_.chunks[i];
      whole.stop[i] = whole.start[i] + meta_.chunks[i];
    }
    // The whole (unclipped) chunk into contiguous memory: decode straight into it.
    const bool direct = !meta_.fortran_order && region == whole && dest.is_contiguous();
    const std::span<std::byte> decoded =
        direct ? std::span<std::byte>(dest.data, dest.bytes()) : thread_buffer(decoded_buffer, meta_.chunk_bytes());
    const std::uint64_t stored_size = chunk.segments.front().size;
    if (meta_.compressor == zarr::Compressor::none && stored_size == decoded.size()) {
      read_file(path, decoded);  // no codec: the file's bytes are the elements
    } else {
      const std::span<std::byte> stored = thread_buffer(stored_buffer, stored_size);
      read_file(path, stored);
      decode(stored, decoded);
    }
    if (meta_.swap_bytes) codecs::swap_bytes(decoded, size_of(info_.dtype));
    if (!direct) copy(chunk_view(decoded).sub(region.relative_to(whole.start)), dest);
  }

  ArrayInfo info_;
  zarr::ArrayMeta meta_;
  ChunkTable table_;
};

std::unique_ptr<Driver> open_zarr(const std::string& path, const OpenOptions& options) {
  try {
    const zarr::ImageLocation location = zarr::locate_image(path, options.level);
    const std::string zarray_path = location.array_dir + "/.zarray";
    const zarr::ArrayMeta meta = zarr::parse_zarray(zarr::read_json(zarray_path), zarray_path);
    zarr::ImageDescription description = zarr::describe_image(location, meta.shape.size());
    ArrayInfo info;
    info.format = std::move(description.format);
    info.dims = std::move(description.dims);
    info.shape = meta.shape;
    info.dtype = meta.dtype;
    info.physical_sizes = std::move(description.physical_sizes);
    info.channel_names = std::move(description.channel_names);
    ChunkTable table = build_chunk_table(location.array_dir, meta);
    return std::make_unique<ZarrDriver>(std::move(info), meta, std::move(table));
  } catch (const json::exception& e) {
    // Metadata of the wrong JSON type somewhere nlohmann was asked for a value.
    throw Error(path, std::string("invalid Zarr metadata: ") + e.what());
  }
}

std::unique_ptr<Driver> restore_zarr(std::string_view saved) {
  const json state = from_bytes(saved);
  try {
    return std::make_unique<ZarrDriver>(state.at("info").get<ArrayInfo>(), state.at("zarr").get<zarr::ArrayMeta>(),
                                        state.at("chunks").get<ChunkTable>());
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
