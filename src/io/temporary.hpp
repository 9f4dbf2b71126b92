#pragma once
// Temporaries of outputs being written (array/commit.hpp writes every output under one):
// hidden beside the destination, named after the process that writes them, and locked while
// it does, so that the next write into the same folder can tell a temporary whose writer is
// gone (a killed job's debris) from one still being written, and remove only the first.
//
//   FOLDER/.NAME.strata-tmp-HOST-PID-RANDOM        the output being written (file or folder)
//   FOLDER/.NAME.strata-tmp-HOST-PID-RANDOM.lock   flock(2)ed by the writer while it writes
//   FOLDER/.NAME.strata-tmp-HOST-PID-RANDOM.old    an old output moved aside by --force (briefly)
//
// A temporary is stale when its lock is free (or the file system has no locks) and
//   - it was written on this host and its process no longer exists (or is a zombie), or
//   - it was written on another host and its lock file was not touched for an hour (the
//     writer touches it once per window): a pid means nothing on another host, and some
//     cluster file systems keep locks local to a node (BeeGFS, Lustre -o localflock).
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::io {

// Who wrote a temporary, read from its name.
struct TemporaryName {
  std::string temporary;  // the file name of the output being written (without .lock/.old)
  std::string host;
  long pid = 0;
};

// The parts of `file_name` (a name in a folder) when it is a temporary, its lock or its
// aside; nullopt for any other name. Pure.
std::optional<TemporaryName> parse_temporary_name(std::string_view file_name);

// This process's temporary for `destination`: FOLDER/.NAME.strata-tmp-HOST-PID-RANDOM.
std::string temporary_for(const std::filesystem::path& destination);

// How long a temporary of another host may go without its writer touching its lock file
// before it counts as stale.
inline constexpr std::chrono::hours kOtherHostStaleAfter{1};

// The writer's lock: creates TEMPORARY.lock and holds flock(LOCK_EX) on it until destroyed,
// which releases it and removes the file. A file system without locks (flock fails with
// ENOLCK, ENOSYS or EOPNOTSUPP) leaves the lock file unlocked: the host, pid and age rules
// still apply. Throws strata::Error naming `temporary` when the lock file cannot be created.
class TemporaryLock {
 public:
  explicit TemporaryLock(const std::string& temporary);
  ~TemporaryLock();
  TemporaryLock(const TemporaryLock&) = delete;
  TemporaryLock& operator=(const TemporaryLock&) = delete;

  // Marks the writer alive (the lock file's mtime), for other hosts' cleaners.
  void touch() const noexcept;

 private:
  std::string path_;
  int fd_ = -1;
};

// Removes `temporary` and its lock file, whoever holds the lock: for a job about to be aborted
// (array/commit.hpp, PendingOutput::abort), on any rank. Best effort, never throws.
void remove_temporary(const std::string& temporary) noexcept;

// Removes the stale temporaries in `folder` (with their lock files and asides) and returns
// their names; never one whose lock is held. Best effort: what cannot be inspected or
// removed is left (a later write tries again), and nothing throws.
std::vector<std::string> remove_stale_temporaries(const std::filesystem::path& folder) noexcept;

}  // namespace strata::io
