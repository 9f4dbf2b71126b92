#include "io/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "io/chunk_io.hpp"
#include "strata/error.hpp"

namespace strata::io {
namespace {

// The calling thread's ReadAhead: `bytes` hold the file's bytes from `offset`.
struct Ahead {
  const File* file = nullptr;
  std::uint64_t offset = 0;
  std::span<const std::byte> bytes;

  // The part of `bytes` holding `size` bytes at `at` of `f`; empty when they are not all here.
  std::span<const std::byte> find(const File* f, std::uint64_t at, std::uint64_t size) const {
    if (f != file || at < offset || at - offset > bytes.size() || size > bytes.size() - (at - offset)) return {};
    return bytes.subspan(at - offset, size);
  }
};
thread_local Ahead ahead;

// What `st` is when it is not a regular file, for the message refusing it.
std::string not_regular(const struct stat& st) {
  const char* what = S_ISDIR(st.st_mode)                         ? "a folder"
                     : S_ISFIFO(st.st_mode)                      ? "a FIFO"
                     : S_ISSOCK(st.st_mode)                      ? "a socket"
                     : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                                                                   : "not a file";
  return std::string("is ") + what + ", not a regular file";
}

// O_NONBLOCK so that a FIFO (which no one may ever write) cannot block the open; it changes
// nothing for regular files, the only kind read (a device such as /dev/zero never ends).
int open_readonly(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw Error(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  const bool stated = ::fstat(fd, &st) == 0;
  if (!stated || !S_ISREG(st.st_mode)) {
    const std::string message = stated ? not_regular(st) : std::string("cannot stat: ") + std::strerror(errno);
    ::close(fd);
    throw Error(path, message);
  }
  return fd;
}

}  // namespace

void require_regular_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) throw Error(path, not_regular(st));
}

void pread_all(int fd, const std::string& path, std::span<std::byte> out, std::uint64_t offset) {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(path, std::string("cannot read: ") + std::strerror(errno));
    if (n == 0)
      throw Error(path, "the file ends inside bytes " + std::to_string(offset) + "-" +
                            std::to_string(offset + out.size()) + " (truncated?)");
    done += static_cast<std::size_t>(n);
  }
}

std::size_t pread_up_to(int fd, std::span<std::byte> out, std::uint64_t offset) noexcept {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? 0 : done;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

File::~File() {
  if (const int fd = fd_.load(); fd >= 0) ::close(fd);
}

int File::descriptor() const {
  if (const int fd = fd_.load(std::memory_order_acquire); fd >= 0) return fd;
  const std::lock_guard lock(opening_);
  int fd = fd_.load(std::memory_order_relaxed);
  if (fd < 0) {
    fd = open_readonly(path_);
    fd_.store(fd, std::memory_order_release);
  }
  return fd;
}

void File::read_at(std::span<std::byte> out, std::uint64_t offset) const {
  if (out.empty()) return;
  if (const auto held = ahead.find(this, offset, out.size()); !held.empty()) {
    std::memcpy(out.data(), held.data(), out.size());
    return;
  }
  pread_all(descriptor(), path_, out, offset);
}

std::span<const std::byte> File::view(ByteRange range, std::span<std::byte> fallback) const {
  if (range.size == 0) return {};
  if (const auto held = ahead.find(this, range.offset, range.size); !held.empty()) return held;
  read_at(fallback.first(range.size), range.offset);
  return fallback.first(range.size);
}

ReadAhead::ReadAhead(const File& file, ByteRange range) {
  const std::span<std::byte> bytes = scratch(Scratch::read_ahead, range.size);
  file.read_at(bytes, range.offset);
  ahead = Ahead{&file, range.offset, bytes};
}

ReadAhead::~ReadAhead() { ahead = Ahead{}; }

void read_file(const std::string& path, std::span<std::byte> out) {
  const int fd = open_readonly(path);
  try {
    pread_all(fd, path, out, 0);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
}

std::vector<std::byte> read_head(const std::string& path, std::size_t n) {
  const int fd = open_readonly(path);
  std::vector<std::byte> head(n);
  head.resize(pread_up_to(fd, head, 0));
  ::close(fd);
  return head;
}

std::string read_text(const std::string& path) {
  const int fd = open_readonly(path);
  std::string text;
  std::byte piece[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, piece, sizeof piece);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      throw Error(path, std::string("cannot read: ") + std::strerror(error));
    }
    if (n == 0) break;
    text.append(reinterpret_cast<const char*>(piece), static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

}  // namespace strata::io
