#pragma once
// The one interface every format implements, and the registry that picks a format by the
// file's signature. Drivers know nothing of MPI or plans.
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strata/buffer.hpp"
#include "strata/chunk.hpp"
#include "strata/info.hpp"

namespace strata {

namespace io {
class File;  // an open file of a chunk table (internal: src/io/file.hpp)
}

struct OpenOptions {
  int level = 0;  // resolution level of a multiscale image (OME-Zarr); 0 = full resolution
};

class Driver {
 public:
  virtual ~Driver() = default;

  virtual const ArrayInfo& info() const = 0;
  virtual const ChunkTable& chunks() const = 0;

  // Writes the part `region` (array coordinates, inside chunk.box) of `chunk` into `dest`,
  // whose shape is region's shape and whose dtype is the array's. Chunks not stored read
  // as the table's fill value. Thread-safe: decode threads call it at once. Throws
  // strata::Error naming the file, the format and the chunk (src/io/chunk_io.cpp).
  void read_chunk(const ChunkRef& chunk, const Box& region, const View& dest) const;

  // Everything another process needs to read chunks without walking the file again:
  // rank 0 opens, every other rank restores from these bytes (see Format::restore).
  virtual std::string save() const = 0;

  // The open file through which decode reads the chunks of ChunkTable::files[index], when
  // it reads them with io::File::read_at or view: the executor may then fetch neighbouring
  // chunks of that file with one read (io::ReadAhead). Null (the default) when each chunk is
  // a file of its own or a library reads the bytes.
  virtual const io::File* shared_file(std::uint32_t index) const;

 private:
  // The format's part of read_chunk: `chunk` is stored, `region` lies inside its box and
  // `dest` fits it (read_chunk has checked). Errors need not name the file or the chunk.
  virtual void decode(const ChunkRef& chunk, const Box& region, const View& dest) const = 0;
};

struct FormatWriter;  // how a format writes (internal: src/formats/format_writer.hpp)

// A format: its signature test, its reader, and optionally its writer. Adding a format is
// one folder in src/formats and one line in the registry (src/formats/registry.cpp).
struct Format {
  std::string_view name;  // "tiff", "zarr", "hdf5", "npy"
  // True when `path` (whose first bytes are `head`, empty for a directory) is this format.
  bool (*recognizes)(const std::string& path, std::span<const std::byte> head);
  std::unique_ptr<Driver> (*open)(const std::string& path, const OpenOptions& options);
  std::unique_ptr<Driver> (*restore)(std::string_view saved);
  const FormatWriter* writer = nullptr;  // null for a format strata only reads
};

// The registered formats, in the order they are tried.
const std::vector<Format>& formats();
const Format& format_named(std::string_view name);
// Opens `path` with the first format that recognizes it. Throws strata::Error naming the
// file when it is missing, unreadable or of no known format.
std::unique_ptr<Driver> open_file(const std::string& path, const OpenOptions& options = {});
// The name of the format open_file would use for `path`.
const Format& detect_format(const std::string& path);

}  // namespace strata
