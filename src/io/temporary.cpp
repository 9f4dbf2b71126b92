#include "io/temporary.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <set>

#include "strata/error.hpp"

namespace strata::io {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMarker = ".strata-tmp-";
constexpr std::string_view kLock = ".lock";
constexpr std::string_view kAside = ".old";

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

bool all_of(std::string_view text, int (*is)(int)) {
  for (char c : text)
    if (!is(static_cast<unsigned char>(c))) return false;
  return !text.empty();
}

// A file system that cannot lock answers flock with one of these: nothing can be known
// from the lock, so the host, pid and age rules decide alone.
bool no_locks(int error) { return error == ENOLCK || error == ENOSYS || error == EOPNOTSUPP || error == EINVAL; }

// True when the lock file `lock` is held by a live writer (an open lock file is returned in
// `fd`, locked by this process, for the caller to close).
bool lock_held(const fs::path& lock, int& fd) {
  fd = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;  // no lock file: only the other rules can tell
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    return !no_locks(errno);  // EWOULDBLOCK: its writer holds it
  }
  return false;
}

// A process that no longer exists, or has exited and waits to be reaped (a zombie: a killed
// rank whose launcher died first stays one until init reaps it, and holds nothing).
bool process_gone(long pid) {
  if (pid <= 0 || pid > INT_MAX) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0) return errno == ESRCH;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto state = line.rfind(") ");  // "PID (COMM) STATE ...": COMM may hold anything
  return state != std::string::npos && state + 2 < line.size() && (line[state + 2] == 'Z' || line[state + 2] == 'X');
}

// The newest mtime among the lock file and the temporary (the writer touches the lock).
std::optional<fs::file_time_type> last_touched(const fs::path& lock, const fs::path& temporary) {
  std::optional<fs::file_time_type> newest;
  for (const fs::path& p : {lock, temporary}) {
    std::error_code ec;
    const auto t = fs::last_write_time(p, ec);
    if (!ec && (!newest || t > *newest)) newest = t;
  }
  return newest;
}

bool stale(const TemporaryName& name, const fs::path& lock, const fs::path& temporary, const std::string& here) {
  if (name.host == here) return process_gone(name.pid);
  const auto touched = last_touched(lock, temporary);
  return touched && fs::file_time_type::clock::now() - *touched > kOtherHostStaleAfter;
}

}  // namespace

std::optional<TemporaryName> parse_temporary_name(std::string_view file_name) {
  for (std::string_view suffix : {kLock, kAside})
    if (file_name.size() > suffix.size() && file_name.ends_with(suffix)) {
      file_name.remove_suffix(suffix.size());
      break;
    }
  const auto marker = file_name.rfind(kMarker);
  if (file_name.size() < 2 || file_name.front() != '.' || marker == std::string_view::npos || marker < 2)
    return std::nullopt;
  // HOST-PID-RANDOM; a host name may hold '-', so it is what remains after the last two.
  const std::string_view owner = file_name.substr(marker + kMarker.size());
  const auto last = owner.rfind('-');
  if (last == std::string_view::npos || last == 0) return std::nullopt;
  const auto middle = owner.rfind('-', last - 1);
  if (middle == std::string_view::npos || middle == 0) return std::nullopt;
  const std::string_view host = owner.substr(0, middle);
  const std::string_view pid = owner.substr(middle + 1, last - middle - 1);
  const std::string_view random = owner.substr(last + 1);
  if (!all_of(pid, std::isdigit) || pid.size() > 10 || !all_of(random, std::isxdigit)) return std::nullopt;
  return TemporaryName{std::string(file_name), std::string(host), std::stol(std::string(pid))};
}

std::string temporary_for(const fs::path& destination) {
  std::random_device random;
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, "-%ld-%08x", static_cast<long>(::getpid()), random());
  const fs::path folder = destination.has_parent_path() ? destination.parent_path() : fs::path(".");
  return (folder / ("." + destination.filename().string() + std::string(kMarker) + host_name() + suffix)).string();
}

TemporaryLock::TemporaryLock(const std::string& temporary) : path_(temporary + std::string(kLock)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error(path_, std::string("cannot create the lock of the output being written: ") + std::strerror(errno));
  // Blocking: a cleaner that is testing the lock holds it only for a moment.
  while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
  }
}

TemporaryLock::~TemporaryLock() {
  ::unlink(path_.c_str());
  ::close(fd_);
}

void TemporaryLock::touch() const noexcept { ::futimens(fd_, nullptr); }

void remove_temporary(const std::string& temporary) noexcept {
  std::error_code ec;
  fs::remove_all(temporary, ec);
  fs::remove(temporary + std::string(kLock), ec);
}

std::vector<std::string> remove_stale_temporaries(const fs::path& folder) noexcept {
  std::vector<std::string> removed;
  try {
    std::set<std::string> temporaries;
    std::vector<TemporaryName> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder, fs::directory_options::skip_permission_denied, ec))
      if (auto name = parse_temporary_name(entry.path().filename().string());
          name && temporaries.insert(name->temporary).second)
        names.push_back(std::move(*name));
    const std::string here = host_name();
    for (const TemporaryName& name : names) {
      const fs::path temporary = folder / name.temporary;
      const fs::path lock = temporary.string() + std::string(kLock);
      const fs::path aside = temporary.string() + std::string(kAside);
      int fd = -1;
      if (!lock_held(lock, fd) && stale(name, lock, temporary, here)) {
        // An old output moved aside by an interrupted --force goes back where it was when
        // nothing took its place; the new one was not committed.
        const std::string base = name.temporary.substr(1, name.temporary.rfind(kMarker) - 1);
        const fs::path destination = folder / base;
        if (fs::exists(aside, ec) && !fs::exists(fs::symlink_status(destination, ec)))
          fs::rename(aside, destination, ec);
        fs::remove_all(aside, ec);
        fs::remove_all(temporary, ec);
        if (!fs::exists(fs::symlink_status(temporary, ec))) {
          fs::remove(lock, ec);
          removed.push_back(name.temporary);
        }
      }
      if (fd >= 0) ::close(fd);
    }
  } catch (...) {  // std::bad_alloc, or a name the file system library refuses: left for later
  }
  return removed;
}

}  // namespace strata::io
