#pragma once
// The one interface every format's reader implements, and open_file, the serial way to open
// a file (no MPI). Drivers know nothing of MPI or plans. Which formats exist and how one is
// recognized is internal (src/formats/format.hpp).
#include <memory>
#include <string>
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
  // Whether an HDF5 dataset may read other files: through an external link, from external
  // storage files or from a virtual dataset's source files. Off, such a dataset is refused
  // naming the files (a file could otherwise make strata copy any file the user can read
  // into an output); on, they are read where HDF5 finds them. docs/security.md.
  bool allow_external = false;
};

// What `strata info` says of an array's chunks, known without listing them where the chunks
// form one grid (Zarr): an array of millions of chunks opens for info at once.
struct ChunkSummary {
  std::uint64_t count = 0;          // chunks of the table, stored or not
  std::uint64_t stored_bytes = 0;   // bytes the stored chunks take in their files
  Shape chunk_shape;                // the nominal chunk (edge chunks are clipped); empty: none
  std::vector<std::string> files;   // as ChunkTable::files, or the folder holding them
  std::vector<std::string> codecs;  // as ChunkTable::codecs
};

class Driver {
 public:
  virtual ~Driver() = default;

  virtual const ArrayInfo& info() const = 0;
  virtual const ChunkTable& chunks() const = 0;
  // The default sums chunks(); a grid format answers from its metadata and a folder listing.
  virtual ChunkSummary summary() const;
  // The chunks whose boxes meet `box` (array coordinates), in C order, with the table's
  // codecs, fill and shapes: what a read of `box` plans over, so that planning costs what the
  // selection holds, not what the file does. File indices are the returned table's own. The
  // default filters chunks(); a grid format (Zarr) finds them by grid arithmetic and looks
  // only at their files (and only at the shard indexes of the shards `box` meets).
  virtual ChunkTable chunks_for(const Box& box) const;
  // How many chunks chunks_for(box) returns, without listing them (a read checks what the
  // table would take before building it).
  virtual std::uint64_t chunk_count(const Box& box) const;

  // Writes the part `region` (array coordinates, inside chunk.box) of `chunk` into `dest`,
  // whose shape is region's shape and whose dtype is the array's. Chunks not stored read
  // as the table's fill value. Thread-safe: decode threads call it at once. Throws
  // strata::Error naming the file, the format and the chunk (src/io/chunk_io.cpp).
  void read_chunk(const ChunkRef& chunk, const Box& region, const View& dest) const;

  // Everything another process needs to read chunks without walking the file again:
  // rank 0 opens, every other rank restores from these bytes (see Format::restore). A grid
  // format saves no chunk table: the restored driver lists its chunks if ever asked.
  virtual std::string save() const = 0;
  // save() for reading `box` only: the restored driver's chunks() holds (at least) the
  // chunks meeting `box` — what rank 0 sends every rank before a read. The default: save().
  virtual std::string save_for(const Box& box) const;

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

// Opens `path` with the first format that recognizes it. Throws strata::Error naming the
// file when it is missing, unreadable or of no known format.
std::unique_ptr<Driver> open_file(const std::string& path, const OpenOptions& options = {});

}  // namespace strata
