#include "formats/zarr/chunk_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "io/confined_path.hpp"
#include "strata/error.hpp"

namespace strata::zarr {

namespace {

// lstat of `name` under `dir`; a link is checked to lead inside `dir` (io::confined_path), then followed.
int stat_confined(const std::string& dir, const std::string& name, struct stat& st) {
  const std::string path = dir + "/" + name;
  const int status = ::lstat(path.c_str(), &st);
  if (status != 0 || !S_ISLNK(st.st_mode)) return status;
  io::confined_path(dir, name, dir);
  return ::stat(path.c_str(), &st);
}

}  // namespace

std::uint64_t stored_bytes(const std::string& array_dir) {
  // readdir and one fstatat per entry (std::filesystem's iterator stats each file twice).
  std::uint64_t bytes = 0;
  std::vector<std::string> folders{array_dir};
  while (!folders.empty()) {
    const std::string folder = std::move(folders.back());
    folders.pop_back();
    DIR* listing = ::opendir(folder.c_str());
    if (!listing) throw Error(folder, std::string("cannot list the array's chunks: ") + std::strerror(errno));
    const std::unique_ptr<DIR, int (*)(DIR*)> closing(listing, &::closedir);
    while (const dirent* entry = ::readdir(listing)) {
      const std::string_view name = entry->d_name;
      if (name == "." || name == ".." || name == ".zarray" || name == ".zattrs" || name == ".zgroup" ||
          name == "zarr.json")
        continue;
      struct stat st {};
      if (::fstatat(::dirfd(listing), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // gone meanwhile
      if (S_ISREG(st.st_mode)) bytes += static_cast<std::uint64_t>(st.st_size);
      if (S_ISDIR(st.st_mode)) folders.push_back(folder + "/" + entry->d_name);
    }
  }
  return bytes;
}

std::int64_t ChunkFiles::size(const std::string& key) {
  const std::string file = path(key);
  // Keys hold no "..": a key folder made of real folders (not links) lies inside. Each folder
  // component not checked yet is lstat()ed once; only links are resolved.
  struct stat st {};
  if (const std::size_t slash = key.rfind('/'); slash != std::string::npos) {
    const std::string folder = key.substr(0, slash);
    if (folder != checked_folder_) {
      for (std::size_t end = key.find('/'); end != std::string::npos && end <= slash; end = key.find('/', end + 1)) {
        const std::string part = key.substr(0, end);
        const bool checked = checked_folder_.starts_with(part) &&
                             (checked_folder_.size() == part.size() || checked_folder_[part.size()] == '/');
        if (!checked && stat_confined(dir_, part, st) != 0) break;  // missing: no chunk below it
      }
      checked_folder_ = folder;
    }
  }
  const int status = stat_confined(dir_, key, st);
  if (status != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return -1;
    throw Error(file, std::string("cannot stat chunk: ") + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) throw Error(file, "a chunk key that is not a file");
  return st.st_size;
}

}  // namespace strata::zarr
