#pragma once
// The HDF5 C library wrapped once: the files of this folder are the only code that calls
// it. Each wrapper makes one call (or a few for one purpose), checks it, and on failure
// throws strata::Error(path, its own message + ": " + HDF5's error stack); HDF5 never
// prints on its own. Debian's HDF5 (1.10, parallel build) is not thread-safe: every call
// in the process, each wrapper's included, runs with hdf5_lock() held by the caller.
// Handles are plain hid_t in (Id::get() or a predefined type), owned Ids out.
#include <hdf5.h>

#include <mutex>
#include <string>
#include <tuple>
#include <utility>

namespace strata::hdf5::api {

// Holds the process-wide HDF5 lock (a std::mutex: never take it twice). The first call
// also initializes the library for strata: error printing off, the Blosc filter registered.
std::unique_lock<std::mutex> hdf5_lock();

// The message of HDF5's current error stack (its innermost cause), then clears it.
std::string error_stack_message();

// For the wrappers here: throws strata::Error(path, what + ": " + the error stack) when
// `status` < 0 (herr_t, hid_t, htri_t and ssize_t all signal failure that way).
[[noreturn]] void fail(const std::string& path, const std::string& what);
template <typename T>
T check(T status, const std::string& path, const char* what) {
  if (status < 0) fail(path, what);
  return status;
}

// An owned HDF5 identifier, closed when it goes. Destroy it with hdf5_lock() held.
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
  // Closes without reporting failure (a close that writes nothing cannot lose data).
  void reset() noexcept;
  // Closes and throws when closing fails: closing a written file or dataset flushes what
  // HDF5 still holds, so its failure is the write's.
  void close(const std::string& path);

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// HDF5's name, in the prefixes of file names, for the folder of the file holding a reference.
inline constexpr const char* kHolderFolder = "${ORIGIN}";

// The HDF5 library's version: major, minor, release.
std::tuple<unsigned, unsigned, unsigned> library_version(const std::string& path);

}  // namespace strata::hdf5::api
