#include "formats/hdf5/hdf5_api.hpp"

#include <vector>

#include "formats/hdf5/blosc_filter.hpp"
#include "strata/error.hpp"

namespace strata::hdf5 {
namespace {

std::mutex& library_mutex() {
  static std::mutex m;
  return m;
}

// Called once, with the lock held.
void initialize_library() {
  if (H5open() < 0) throw Error("", "HDF5: the library failed to initialize");
  // Errors are reported by exceptions carrying the stack's message, never printed.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
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
  // (the API-level records above it repeat the call's arguments).
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

hid_t little_endian_type(DType t) noexcept {
  switch (t) {
    case DType::uint8:
      return H5T_STD_U8LE;
    case DType::uint16:
      return H5T_STD_U16LE;
    case DType::uint32:
      return H5T_STD_U32LE;
    case DType::uint64:
      return H5T_STD_U64LE;
    case DType::int8:
      return H5T_STD_I8LE;
    case DType::int16:
      return H5T_STD_I16LE;
    case DType::int32:
      return H5T_STD_I32LE;
    case DType::int64:
      return H5T_STD_I64LE;
    case DType::float32:
      return H5T_IEEE_F32LE;
    case DType::float64:
      return H5T_IEEE_F64LE;
  }
  return H5T_STD_U8LE;
}

Id open_file_readonly(const std::string& path) {
  Id access(check(H5Pcreate(H5P_FILE_ACCESS), path, "HDF5: cannot create a file access list"));
  check(H5Pset_file_locking(access.get(), false, true), path, "HDF5: cannot turn file locking off");
  return Id(check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, access.get()), path, "cannot open as HDF5"));
}

}  // namespace strata::hdf5
