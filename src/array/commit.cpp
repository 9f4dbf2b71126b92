#include "array/commit.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "strata/error.hpp"

namespace strata {
namespace {

namespace fs = std::filesystem;

std::string without_trailing_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::uint64_t bytes_under(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return fs::file_size(path, ec);
  std::uint64_t total = 0;
  for (const auto& entry : fs::recursive_directory_iterator(path, ec))
    if (entry.is_regular_file(ec)) total += entry.file_size(ec);
  return total;
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw Error(path, what + ": " + std::strerror(errno));
}

}  // namespace

PendingOutput PendingOutput::prepare(const mpi::Comm& comm, const std::string& destination, bool overwrite) {
  PendingOutput out;
  out.destination_ = without_trailing_slashes(destination);
  out.overwrite_ = overwrite;
  mpi::agreed(comm, [&] {
    if (comm.rank() != 0) return;
    const fs::path path(out.destination_);
    std::error_code ec;
    if (fs::symlink_status(path, ec).type() != fs::file_type::not_found && !overwrite)
      throw Error(destination, "already exists (WriteOptions::overwrite replaces it)");
    const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
    if (!fs::is_directory(folder, ec)) throw Error(destination, "the folder " + folder.string() + " does not exist");
    if (::access(folder.c_str(), W_OK) != 0) fail(destination, "cannot write in " + folder.string());
    // Hidden, beside the destination (same file system, so the rename is atomic), and unique.
    std::random_device random;
    char suffix[64];
    std::snprintf(suffix, sizeof suffix, ".strata-tmp-%d-%08x", static_cast<int>(::getpid()), random());
    out.temporary_ = (folder / ("." + path.filename().string() + suffix)).string();
  });
  out.temporary_ = comm.broadcast(out.temporary_, 0);
  return out;
}

std::uint64_t PendingOutput::commit(const mpi::Comm& comm) {
  std::uint64_t bytes = 0;
  mpi::agreed(comm, [&] {
    if (comm.rank() != 0) return;
    const char* from = temporary_.c_str();
    const char* to = destination_.c_str();
    if (!overwrite_) {
      // No-replace rename: a destination created meanwhile by someone else is kept.
      if (::renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) != 0) {
        if (errno == EEXIST)
          throw Error(destination_, "already exists (created while writing; WriteOptions::overwrite replaces it)");
        if (errno != EINVAL && errno != ENOSYS) fail(destination_, "cannot rename " + temporary_ + " to it");
        if (std::rename(from, to) != 0) fail(destination_, "cannot rename " + temporary_ + " to it");
      }
    } else if (::renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_EXCHANGE) == 0) {
      // The old output now sits at the temporary name.
      std::error_code ec;
      fs::remove_all(temporary_, ec);
    } else if (errno == ENOENT) {
      if (std::rename(from, to) != 0) fail(destination_, "cannot rename " + temporary_ + " to it");
    } else {
      // No atomic exchange on this file system: move the old output aside first.
      const std::string aside = temporary_ + ".old";
      if (std::rename(to, aside.c_str()) != 0) fail(destination_, "cannot move the existing output aside");
      if (std::rename(from, to) != 0) {
        std::rename(aside.c_str(), to);
        fail(destination_, "cannot rename " + temporary_ + " to it");
      }
      std::error_code ec;
      fs::remove_all(aside, ec);
    }
    bytes = bytes_under(destination_);
  });
  return bytes;
}

void PendingOutput::abandon(const mpi::Comm& comm) noexcept {
  if (comm.rank() != 0 || temporary_.empty()) return;
  std::error_code ec;
  fs::remove_all(temporary_, ec);
}

}  // namespace strata
