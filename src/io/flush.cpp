#include "io/flush.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "strata/error.hpp"

namespace strata::io {
namespace {

// Opens `path` with `flags`, runs `sync` on the fd and closes it. Returns 0, or the errno of
// the open (`opened` false) or of the sync.
template <class Sync>
int synced(const std::string& path, int flags, bool& opened, Sync sync) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  opened = fd >= 0;
  if (!opened) return errno;
  const int error = sync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return error;
}

[[noreturn]] void fail(const std::string& path, const std::string& what, int error) {
  throw Error(path, what + ": " + std::strerror(error));
}

}  // namespace

void flush_to_disk(const std::string& path) {
  bool opened = false;
  const int error = synced(path, O_RDONLY, opened, [](int fd) {
    struct stat st {};
    return ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) ? ::syncfs(fd) : ::fsync(fd);
  });
  if (!opened) fail(path, "cannot open to flush it to disk", error);
  if (error != 0) fail(path, "cannot flush to disk", error);
}

void flush_folder(const std::string& folder, const std::string& output) {
  bool opened = false;
  const int error = synced(folder, O_RDONLY | O_DIRECTORY, opened, ::fsync);
  if (!opened) fail(output, "cannot open its folder " + folder + " to flush it to disk", error);
  if (error != 0 && error != EINVAL && error != EROFS) fail(output, "cannot flush its folder " + folder + " to disk", error);
}

}  // namespace strata::io
