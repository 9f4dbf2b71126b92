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

}  // namespace strata::io
