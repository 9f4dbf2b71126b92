#pragma once
// A file that ranks write at offsets (pwrite), with errors that name it.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <utility>

#include "strata/error.hpp"

namespace strata::io {

class OutputFile {
 public:
  OutputFile(std::string path, int flags)
      : path_(std::move(path)), fd_(::open(path_.c_str(), flags | O_CLOEXEC, 0666)) {
    if (fd_ < 0) fail("cannot open");
  }
  ~OutputFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write_at(std::span<const std::byte> bytes, std::uint64_t offset) const {
    while (!bytes.empty()) {
      // Linux writes at most about 2 GiB per call.
      const ssize_t n = ::pwrite(fd_, bytes.data(), std::min<std::size_t>(bytes.size(), 1u << 30),
                                 static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail("cannot write");
      bytes = bytes.subspan(static_cast<std::size_t>(n));
      offset += static_cast<std::uint64_t>(n);
    }
  }
  // Reserves `bytes` of disk from offset 0 without changing the file's size (fallocate
  // KEEP_SIZE). Returns 0, or the errno of a failure (callers decide what is fatal: file
  // systems without fallocate say EOPNOTSUPP).
  int reserve(std::uint64_t bytes) const noexcept {
    return ::fallocate(fd_, FALLOC_FL_KEEP_SIZE, 0, static_cast<off_t>(bytes)) == 0 ? 0 : errno;
  }
  void resize(std::uint64_t size) const {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) fail("cannot size the file");
  }
  // Closing reports what a failed write-back leaves to it (e.g. disk full on NFS).
  void close() {
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) fail("cannot close");
  }

 private:
  [[noreturn]] void fail(const char* what) const { throw Error(path_, std::string(what) + ": " + std::strerror(errno)); }
  std::string path_;
  int fd_;
};

}  // namespace strata::io
