#pragma once
// The HDF5 C library wrapped once. Debian's HDF5 (1.10, parallel build) is not thread-safe:
// every HDF5 call in the process must hold hdf5_lock(). Failed calls turn HDF5's error
// stack into a strata::Error; HDF5 never prints on its own (its automatic printing is off).
#include <hdf5.h>

#include <mutex>
#include <string>
#include <utility>

#include "strata/dtype.hpp"

namespace strata::hdf5 {

// Holds the process-wide HDF5 lock. The first call also initializes the library for
// strata: HDF5's error printing turned off, the in-process Blosc filter registered.
std::unique_lock<std::mutex> hdf5_lock();

// The message of HDF5's current error stack ("what: innermost cause"), then clears it.
// Call with the lock held, right after the failing call.
std::string error_stack_message();

// Throws strata::Error(path, what + ": " + the error stack) when `status` < 0 (herr_t,
// hid_t, htri_t and ssize_t results all signal failure that way); returns it otherwise.
template <typename T>
T check(T status, const std::string& path, const char* what);
[[noreturn]] void fail(const std::string& path, const std::string& what);

template <typename T>
T check(T status, const std::string& path, const char* what) {
  if (status < 0) fail(path, what);
  return status;
}

// An owned HDF5 identifier, closed by the matching H5*close when it goes. Destroy it
// while holding hdf5_lock(), like every other HDF5 call.
class Id {
 public:
  Id() = default;
  explicit Id(hid_t id) noexcept : id_(id) {}
  Id(Id&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  Id& operator=(Id&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
    }
    return *this;
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  ~Id() { reset(); }

  hid_t get() const noexcept { return id_; }
  explicit operator bool() const noexcept { return id_ >= 0; }
  void reset() noexcept;

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// The little-endian HDF5 type of a dtype: what strata's buffers hold.
hid_t little_endian_type(DType t) noexcept;

// Opens an HDF5 file read-only with the default (POSIX) driver and file locking off, so
// files on read-only or lock-less parallel file systems open too.
Id open_file_readonly(const std::string& path);

}  // namespace strata::hdf5
