#include "array/commit.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "formats/format_writer.hpp"
#include "io/file.hpp"
#include "io/flush.hpp"
#include "model/fault.hpp"

namespace strata {
namespace {

namespace fs = std::filesystem;

std::string without_trailing_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::string folder_of(const std::string& path) {
  const fs::path p(path);
  return p.has_parent_path() ? p.parent_path().string() : ".";
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

// Overwriting replaces only an output of the format being written: never a folder or file
// that strata did not (or could not have) written, whatever its name says.
void check_replaceable(const std::string& destination, const Format& format) {
  struct stat st {};
  const bool found = ::stat(destination.c_str(), &st) == 0;  // a link's target
  const bool file = found && S_ISREG(st.st_mode), folder = found && S_ISDIR(st.st_mode);
  const std::vector<std::byte> head = file ? io::read_head(destination, 16) : std::vector<std::byte>{};
  if ((file || folder) && format.recognizes(destination, head)) return;
  const std::string what = folder ? "a folder" : file ? "a file" : "neither a file nor a folder";
  throw Error(destination, "exists and is " + what + ", not a " + std::string(format.writer->kind) +
                               ": WriteOptions::overwrite replaces only an output of the format written (remove "
                               "it yourself if it should go)");
}

}  // namespace

PendingOutput PendingOutput::prepare(const mpi::Comm& comm, const std::string& destination, bool overwrite,
                                     const Format& format) {
  PendingOutput out;
  out.destination_ = without_trailing_slashes(destination);
  out.overwrite_ = overwrite;
  out.format_ = &format;
  mpi::agreed(comm, [&] {
    if (comm.rank() != 0) return;
    const std::string& path = out.destination_;
    const std::string folder = folder_of(path);
    struct stat st {};
    const bool exists = ::lstat(path.c_str(), &st) == 0;
    if (!exists && errno != ENOENT && errno != ENOTDIR)
      fail(destination, "cannot check whether it exists");  // e.g. a folder on its path not searchable
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) throw Error(destination, "the folder " + folder + " does not exist");
    if (::access(folder.c_str(), W_OK) != 0) fail(destination, "cannot write in " + folder);
    // Even when this write is refused: a killed job's debris goes at the next try.
    io::remove_stale_temporaries(folder);
    if (exists) {
      if (!overwrite) throw Error(destination, "already exists (WriteOptions::overwrite replaces it)");
      check_replaceable(path, format);
    }
    // Hidden, beside the destination (same file system, so the rename is atomic), and unique.
    out.temporary_ = io::temporary_for(path);
    out.lock_ = std::make_unique<io::TemporaryLock>(out.temporary_);
  });
  out.temporary_ = comm.broadcast(out.temporary_, 0);
  return out;
}

std::uint64_t PendingOutput::commit(const mpi::Comm& comm) {
  mpi::agreed(comm, [&] {
    inject_fault(FaultPhase::commit);
    io::flush_to_disk(temporary_);
  });
  std::uint64_t bytes = 0;
  mpi::agreed(comm, [&] {
    if (comm.rank() != 0) return;
    const std::string folder = folder_of(destination_);
    io::flush_folder(folder, destination_);
    const char* from = temporary_.c_str();
    const char* to = destination_.c_str();
    struct stat st {};
    // Checked again: what is there may have changed while writing.
    if (overwrite_ && ::lstat(to, &st) == 0) check_replaceable(destination_, *format_);
    std::string old;  // the replaced output, removed once the new one is durable in its place
    if (!overwrite_) {
      // No-replace rename: a destination created meanwhile by someone else is kept.
      if (::renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) != 0) {
        if (errno == EEXIST)
          throw Error(destination_, "already exists (created while writing; WriteOptions::overwrite replaces it)");
        if (errno != EINVAL && errno != ENOSYS) fail(destination_, "cannot move the finished output into place");
        if (std::rename(from, to) != 0) fail(destination_, "cannot move the finished output into place");
      }
    } else if (::renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_EXCHANGE) == 0) {
      old = temporary_;  // the old output now sits at the temporary name
    } else if (errno == ENOENT) {
      if (std::rename(from, to) != 0) fail(destination_, "cannot move the finished output into place");
    } else {
      // No atomic exchange on this file system: move the old output aside first (a writer
      // killed in between has it put back by the next write's cleanup, io/temporary.hpp).
      old = temporary_ + ".old";
      if (std::rename(to, old.c_str()) != 0) fail(destination_, "cannot move the existing output aside");
      if (std::rename(from, to) != 0) {
        std::rename(old.c_str(), to);
        fail(destination_, "cannot move the finished output into place");
      }
    }
    io::flush_folder(folder, destination_);
    if (!old.empty()) {
      std::error_code ec;
      fs::remove_all(old, ec);
    }
    lock_.reset();
    bytes = bytes_under(destination_);
  });
  return bytes;
}

void PendingOutput::abandon() noexcept {
  if (!lock_) return;
  std::error_code ec;
  fs::remove_all(temporary_, ec);
  lock_.reset();
}

void PendingOutput::abort(const mpi::Comm& comm, const Error& e) const noexcept {
  io::remove_temporary(temporary_);
  std::fputs(error_line(in_destination_terms(e).what()).c_str(), stderr);
  std::fflush(stderr);
  comm.abort(2);
}

Error PendingOutput::in_destination_terms(const Error& e) const {
  if (temporary_.empty()) return Error(e);
  ErrorContext context = e.context();
  std::string cause = e.cause();
  for (auto at = cause.find(temporary_); at != std::string::npos; at = cause.find(temporary_, at + destination_.size()))
    cause.replace(at, temporary_.size(), destination_);
  const std::string& path = context.path;
  if (path.starts_with(temporary_) && (path.size() == temporary_.size() || path[temporary_.size()] == '/')) {
    std::string inside = path.substr(std::min(path.size(), temporary_.size() + 1));
    context.path = destination_;
    if (context.chunk.empty()) context.chunk = std::move(inside);
  }
  return Error(std::move(context), std::move(cause));
}

}  // namespace strata
