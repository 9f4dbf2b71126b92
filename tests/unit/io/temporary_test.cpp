// io/temporary.hpp: an output's temporary names its writer and is locked while written; the
// cleanup removes those whose writer is gone and never one whose lock a live process holds.
#include "io/temporary.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <fstream>
#include <thread>

#include "support/reference_files.hpp"

extern char** environ;

namespace strata {
namespace {

namespace fs = std::filesystem;
using Names = std::vector<std::string>;

std::string this_host() {
  char name[HOST_NAME_MAX + 1] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

// A pid no process can have: above the kernel's pid_max.
long dead_pid() {
  long max = 4194304;
  std::ifstream("/proc/sys/kernel/pid_max") >> max;
  return max + 1;
}

std::string temporary_name(const std::string& output, const std::string& host, long pid) {
  return "." + output + ".strata-tmp-" + host + "-" + std::to_string(pid) + "-0123abcd";
}

Names names_in(const fs::path& folder) {
  Names names;
  for (const auto& entry : fs::directory_iterator(folder)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

void touch_file(const fs::path& path, const std::string& text = "x") { std::ofstream(path) << text; }

// A process that holds flock(LOCK_EX) on `file` until stopped: util-linux flock(1), which
// runs `sleep` meanwhile without the lock (-o), so that the lock is free once flock(1) has
// been waited for; both in a process group of their own, stopped together.
class LockHolder {
 public:
  explicit LockHolder(const std::string& file) : file_(file) {
    const char* argv[] = {"flock", "-x", "-o", file.c_str(), "sleep", "60", nullptr};
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
    started_ = ::posix_spawnp(&pid_, "flock", nullptr, &attributes, const_cast<char**>(argv), environ) == 0;
    posix_spawnattr_destroy(&attributes);
    // Wait until it holds the lock.
    for (int i = 0; started_ && i < 500 && !held(file); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ~LockHolder() { stop(); }
  void stop() {
    if (!started_) return;
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    started_ = false;
    // flock(1) forks the command: a child killed between the fork and closing its copy of the
    // lock's descriptor still holds the lock for a moment after flock itself is reaped.
    for (int i = 0; i < 500 && held(file_); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  bool started() const { return started_; }
  static bool held(const std::string& file) {
    const int fd = ::open(file.c_str(), O_RDONLY);
    if (fd < 0) return false;
    const bool busy = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd);
    return busy;
  }

 private:
  std::string file_;
  pid_t pid_ = 0;
  bool started_ = false;
};

TEST(TemporaryName, NamesTheHostAndProcessAndParsesBack) {
  const std::string temporary = io::temporary_for("/data/out.zarr");
  EXPECT_EQ(fs::path(temporary).parent_path(), "/data");
  const auto name = io::parse_temporary_name(fs::path(temporary).filename().string());
  ASSERT_TRUE(name);
  EXPECT_EQ(name->temporary, fs::path(temporary).filename().string());
  EXPECT_EQ(name->host, this_host());
  EXPECT_EQ(name->pid, static_cast<long>(::getpid()));
  EXPECT_TRUE(fs::path(temporary).filename().string().starts_with(".out.zarr.strata-tmp-"));
}

TEST(TemporaryName, HostsWithDashesLocksAndAsidesParse) {
  const auto lock = io::parse_temporary_name(".a.npy.strata-tmp-node-01-x-4242-deadbeef.lock");
  ASSERT_TRUE(lock);
  EXPECT_EQ(lock->temporary, ".a.npy.strata-tmp-node-01-x-4242-deadbeef");
  EXPECT_EQ(lock->host, "node-01-x");
  EXPECT_EQ(lock->pid, 4242);
  const auto aside = io::parse_temporary_name(".a.npy.strata-tmp-n-7-0000ffff.old");
  ASSERT_TRUE(aside);
  EXPECT_EQ(aside->temporary, ".a.npy.strata-tmp-n-7-0000ffff");
}

TEST(TemporaryName, OtherNamesAreNotTemporaries) {
  for (const char* name : {"out.zarr", ".zgroup", "a.strata-tmp-h-1-0000abcd", ".a.strata-tmp-1-0000abcd",
                           ".a.strata-tmp-h-x1-0000abcd", ".a.strata-tmp-h-1-nothex!", ".a.strata-tmp--1-0000abcd",
                           ".strata-tmp-h-1-0000abcd"})
    EXPECT_FALSE(io::parse_temporary_name(name)) << name;
}

TEST(TemporaryLock, IsHeldWhileItLivesAndRemovedAfter) {
  testing::TempDir dir;
  const std::string temporary = io::temporary_for(dir / "out.npy");
  {
    const io::TemporaryLock lock(temporary);
    EXPECT_TRUE(LockHolder::held(temporary + ".lock"));
  }
  EXPECT_EQ(names_in(dir.path()), Names{});
}

class StaleTemporaries : public ::testing::Test {
 protected:
  fs::path at(const std::string& name) const { return dir_.path() / name; }
  testing::TempDir dir_;
};

TEST_F(StaleTemporaries, ThoseOfAProcessThatIsGoneAreRemovedWithTheirLocks) {
  const std::string file = temporary_name("a.npy", this_host(), dead_pid());
  const std::string folder = temporary_name("b.zarr", this_host(), dead_pid());
  touch_file(at(file));
  touch_file(at(file + ".lock"), "");
  fs::create_directories(at(folder) / "0" / "0");
  touch_file(at(folder) / "0" / "0" / "0");  // no lock file: a writer killed before making one
  touch_file(at("keep.npy"));
  const Names removed = io::remove_stale_temporaries(dir_.path());
  EXPECT_EQ(removed.size(), 2u);
  EXPECT_EQ(names_in(dir_.path()), Names{"keep.npy"});
}

TEST_F(StaleTemporaries, OneWhoseLockALiveProcessHoldsIsKept) {
  // Its name's pid is gone, but a live process holds its lock: the lock decides.
  const std::string file = temporary_name("a.npy", this_host(), dead_pid());
  touch_file(at(file));
  LockHolder holder(at(file + ".lock").string());
  ASSERT_TRUE(holder.started()) << "flock(1) could not be started";
  EXPECT_EQ(io::remove_stale_temporaries(dir_.path()), Names{});
  EXPECT_EQ(names_in(dir_.path()), (Names{file, file + ".lock"}));
  holder.stop();
  EXPECT_EQ(io::remove_stale_temporaries(dir_.path()), Names{file});
  EXPECT_EQ(names_in(dir_.path()), Names{});
}

TEST_F(StaleTemporaries, OneOfALiveProcessOnThisHostIsKeptEvenUnlocked) {
  const std::string file = temporary_name("a.npy", this_host(), ::getpid());
  touch_file(at(file));
  touch_file(at(file + ".lock"), "");
  EXPECT_EQ(io::remove_stale_temporaries(dir_.path()), Names{});
  EXPECT_EQ(names_in(dir_.path()).size(), 2u);
}

TEST_F(StaleTemporaries, OneOfAProcessThatExitedButIsNotReapedIsRemoved) {
  // A zombie holds nothing: a killed rank whose launcher died first stays one for a while.
  pid_t zombie = 0;
  const char* argv[] = {"true", nullptr};
  ASSERT_EQ(::posix_spawnp(&zombie, "true", nullptr, nullptr, const_cast<char**>(argv), environ), 0);
  for (int i = 0; i < 500; ++i) {  // until it has exited; WNOWAIT leaves it unreaped
    siginfo_t info{};
    if (::waitid(P_PID, zombie, &info, WEXITED | WNOWAIT | WNOHANG) == 0 && info.si_pid == zombie) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::string file = temporary_name("a.npy", this_host(), zombie);
  touch_file(at(file));
  EXPECT_EQ(io::remove_stale_temporaries(dir_.path()), Names{file});
  ::waitpid(zombie, nullptr, 0);
}

TEST_F(StaleTemporaries, OneOfAnotherHostGoesOnlyOnceUntouchedForAnHour) {
  const std::string file = temporary_name("a.npy", "elsewhere-" + this_host(), 1234);
  touch_file(at(file));
  touch_file(at(file + ".lock"), "");
  EXPECT_EQ(io::remove_stale_temporaries(dir_.path()), Names{}) << "a fresh one may still be written";
  const auto old = fs::file_time_type::clock::now() - io::kOtherHostStaleAfter - std::chrono::minutes(5);
  fs::last_write_time(at(file), old);
  EXPECT_EQ(io::remove_stale_temporaries(dir_.path()), Names{}) << "its lock file was touched recently";
  fs::last_write_time(at(file + ".lock"), old);
  EXPECT_EQ(io::remove_stale_temporaries(dir_.path()), Names{file});
  EXPECT_EQ(names_in(dir_.path()), Names{});
}

TEST_F(StaleTemporaries, AnOldOutputMovedAsideGoesBackWhenNothingReplacedIt) {
  // A --force write killed between moving the old output aside and renaming the new one.
  const std::string file = temporary_name("a.npy", this_host(), dead_pid());
  touch_file(at(file), "new, never committed");
  touch_file(at(file + ".old"), "the old output");
  io::remove_stale_temporaries(dir_.path());
  EXPECT_EQ(names_in(dir_.path()), Names{"a.npy"});
  std::string text;
  std::getline(std::ifstream(at("a.npy")), text);
  EXPECT_EQ(text, "the old output");
}

TEST_F(StaleTemporaries, AMissingFolderRemovesNothingAndDoesNotThrow) {
  EXPECT_EQ(io::remove_stale_temporaries(dir_.path() / "missing"), Names{});
}

}  // namespace
}  // namespace strata
