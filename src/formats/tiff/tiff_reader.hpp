#pragma once
// Decoding TIFF chunks into strided destinations, safely from many threads at once.
// Files are opened on first use: restoring a driver on another rank touches no file.
#include <memory>
#include <string>
#include <vector>

#include "formats/tiff/tiff_encoding.hpp"
#include "strata/buffer.hpp"
#include "strata/chunk.hpp"

namespace strata::tiff {

class OpenTiffFile;  // a file's descriptor and libtiff handle pool, opened on first use

class TiffReader {
 public:
  TiffReader(std::vector<std::string> files, std::vector<TiffEncoding> encodings);
  ~TiffReader();
  TiffReader(const TiffReader&) = delete;
  TiffReader& operator=(const TiffReader&) = delete;

  // Writes the part `region` (array coordinates, inside chunk.box) of the stored `chunk`
  // into `dest` (Driver::read_chunk has checked that they fit).
  // Fast paths: uncompressed strips are pread straight into dest when its rows are
  // contiguous; Deflate and Zstandard blocks are read raw and decoded by libdeflate/libzstd
  // (straight into dest when whole rows of a strip land there); other codecs go through
  // libtiff handles kept in a per-file pool. Throws strata::Error.
  void read(const ChunkRef& chunk, const Box& region, const View& dest) const;

  const std::vector<TiffEncoding>& encodings() const noexcept { return encodings_; }

 private:
  std::vector<std::unique_ptr<OpenTiffFile>> files_;
  std::vector<TiffEncoding> encodings_;
};

}  // namespace strata::tiff
