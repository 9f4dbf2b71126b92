#include "formats/hdf5/api/library.hpp"

#include <vector>

#include "formats/hdf5/api/filter.hpp"
#include "strata/error.hpp"

namespace strata::hdf5::api {
namespace {

std::mutex& library_mutex() {
  static std::mutex m;
  return m;
}

// Called once, with the lock held.
void initialize_library() {
  if (H5open() < 0) throw Error("", "HDF5: the library failed to initialize");
  // Errors are reported by exceptions carrying the stack's message, never printed.
  if (H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) < 0) throw Error("", "HDF5: cannot turn error printing off");
  register_blosc_filter();
}

herr_t collect_description(unsigned, const H5E_error2_t* e, void* data) {
  auto& descriptions = *static_cast<std::vector<std::string>*>(data);
  std::string text = e->desc ? e->desc : "";
  if (text.empty()) {
    char minor[256] = "";
    if (H5Eget_msg(e->min_num, nullptr, minor, sizeof minor) > 0) text = minor;
  }
  if (!text.empty()) descriptions.push_back(std::move(text));
  return 0;
}

}  // namespace

std::unique_lock<std::mutex> hdf5_lock() {
  std::unique_lock<std::mutex> lock(library_mutex());
  static bool initialized = false;
  if (!initialized) {
    initialize_library();
    initialized = true;
  }
  return lock;
}

std::string error_stack_message() {
  // Upward walks start at the most specific record, the one that says what went wrong
  // (the API-level records above it repeat the call's arguments). Unchecked: a stack that
  // cannot be walked or cleared has nothing more to tell.
  std::vector<std::string> descriptions;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect_description, &descriptions);
  H5Eclear2(H5E_DEFAULT);
  return descriptions.empty() ? std::string() : descriptions.front();
}

void fail(const std::string& path, const std::string& what) {
  const std::string stack = error_stack_message();
  throw Error(path, stack.empty() ? what : what + ": " + stack);
}

void Id::reset() noexcept {
  if (id_ >= 0) H5Idec_ref(id_);
  id_ = H5I_INVALID_HID;
}

void Id::close(const std::string& path) {
  if (id_ < 0) return;
  const herr_t status = H5Idec_ref(std::exchange(id_, H5I_INVALID_HID));
  // Any record the close left fails it too, whatever the status: no lost write may pass.
  if (status < 0 || H5Eget_num(H5E_DEFAULT) > 0) fail(path, "HDF5: cannot close");
}

std::tuple<unsigned, unsigned, unsigned> library_version(const std::string& path) {
  unsigned major = 0, minor = 0, release = 0;
  check(H5get_libversion(&major, &minor, &release), path, "HDF5: cannot read the library version");
  return {major, minor, release};
}

}  // namespace strata::hdf5::api
