#include "io/file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "strata/error.hpp"

namespace strata::io {
namespace {

int open_readonly(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path, std::string("cannot open: ") + std::strerror(errno));
  return fd;
}

}  // namespace

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
  if (fd_ >= 0) ::close(fd_);
}

int File::descriptor() const {
  std::call_once(opened_, [this] { fd_ = open_readonly(path_); });
  return fd_;
}

void File::read_at(std::span<std::byte> out, std::uint64_t offset) const {
  pread_all(descriptor(), path_, out, offset);
}

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
