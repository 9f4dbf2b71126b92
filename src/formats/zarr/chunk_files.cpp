#include "formats/zarr/chunk_files.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "io/confined_path.hpp"
#include "strata/error.hpp"

namespace strata::zarr {

std::int64_t ChunkFiles::size(const std::string& key) {
  const std::string file = path(key);
  if (const std::size_t slash = key.rfind('/'); slash != std::string::npos) {
    const std::string folder = key.substr(0, slash);
    if (folder != checked_folder_) {
      io::confined_path(dir_, folder, dir_);
      checked_folder_ = folder;
    }
  }
  // lstat: a plain file costs what stat did; only a link is resolved.
  struct stat st {};
  int status = ::lstat(file.c_str(), &st);
  if (status == 0 && S_ISLNK(st.st_mode)) {
    io::confined_path(dir_, key, dir_);
    status = ::stat(file.c_str(), &st);
  }
  if (status != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return -1;
    throw Error(file, std::string("cannot stat chunk: ") + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) throw Error(file, "a chunk key that is not a file");
  return st.st_size;
}

}  // namespace strata::zarr
