#pragma once
// The floor under every format: files opened once per rank and read with pread from any
// thread. No code outside src/io opens a file for reading chunks or loops over pread.
// Errors name the file (strata::Error::path).
#include <atomic>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "strata/chunk.hpp"

namespace strata::io {

// A file opened read-only on first use (restoring a driver on another rank touches no
// file until a chunk is read), then shared by every decode thread; closed with the object.
class File {
 public:
  explicit File(std::string path) : path_(std::move(path)) {}
  ~File();
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  const std::string& path() const noexcept { return path_; }
  // Fills `out` with the bytes at `offset` (retrying short reads and EINTR): copied from the
  // calling thread's ReadAhead of this file when it holds them, else read. Throws
  // strata::Error naming the file on a read error or when the file ends first.
  void read_at(std::span<std::byte> out, std::uint64_t offset) const;
  // The bytes of `range`, without a copy when the calling thread's ReadAhead of this file
  // holds them; else read into `fallback` (range.size bytes), which is returned.
  std::span<const std::byte> view(ByteRange range, std::span<std::byte> fallback) const;
  // The open descriptor, for libraries that read by descriptor themselves (libtiff).
  int descriptor() const;

 private:
  std::string path_;
  // Opened by the first thread that asks; a failed open is tried again by the next (a mutex,
  // not std::call_once, whose retry after a throw hangs under TSan and some C libraries).
  mutable std::mutex opening_;
  mutable std::atomic<int> fd_{-1};
};

// Bytes of one file fetched with one read for the chunks a thread decodes next (neighbouring
// chunks of a shard, say: exec::execute groups them): while it lives, the constructing
// thread's reads of `file` inside `range` (File::read_at, File::view) come from memory.
// Held in the thread's Scratch::read_ahead buffer; one per thread at a time.
class ReadAhead {
 public:
  ReadAhead(const File& file, ByteRange range);
  ~ReadAhead();
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;
};

// Reads the first out.size() bytes of the file at `path` (a chunk file of a store): opens,
// reads, closes. Throws strata::Error naming `path`.
void read_file(const std::string& path, std::span<std::byte> out);

// Fills `out` from `offset` of the open descriptor `fd`; errors name `path`.
void pread_all(int fd, const std::string& path, std::span<std::byte> out, std::uint64_t offset);
// Reads into `out` from `offset` until it is full or the file ends; returns the bytes read
// (0 on a read error too: for probing bytes that may not exist, e.g. a TIFF's next-IFD link).
std::size_t pread_up_to(int fd, std::span<std::byte> out, std::uint64_t offset) noexcept;

// Throws strata::Error naming `path` when it exists and is not a regular file (a folder, a
// FIFO that would block an open, a device that never ends), for libraries that open files
// themselves. Every open through File, read_file, read_head and read_text checks the same.
void require_regular_file(const std::string& path);

// The first `n` bytes of the file at `path` (fewer when it is shorter): signatures.
std::vector<std::byte> read_head(const std::string& path, std::size_t n);
// The whole file at `path` as text (metadata documents: .zattrs, companion OME-XML).
std::string read_text(const std::string& path);

}  // namespace strata::io
