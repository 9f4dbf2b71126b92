#include "formats/hdf5/api/file.hpp"

#include "formats/hdf5/api/property_list.hpp"

namespace strata::hdf5::api {

Id file_open_readonly(const std::string& path) {
  const Id access = plist_create(PropertyList::file_access, path);
  plist_set_file_locking_off(access.get(), path);
  return Id(check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, access.get()), path, "cannot open as HDF5"));
}

Id file_create(const std::string& name, hid_t access, const std::string& path) {
  return Id(check(H5Fcreate(name.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, access), path, "HDF5: cannot create the file"));
}

Id file_creation_plist(hid_t file, const std::string& path) {
  return Id(check(H5Fget_create_plist(file), path, "HDF5: cannot read the file's creation properties"));
}

std::string file_name(hid_t file, const std::string& path) {
  const ssize_t size = check(H5Fget_name(file, nullptr, 0), path, "HDF5: cannot read a file's name");
  std::string name(static_cast<std::size_t>(size) + 1, '\0');
  check(H5Fget_name(file, name.data(), name.size()), path, "HDF5: cannot read a file's name");
  name.resize(static_cast<std::size_t>(size));
  return name;
}

}  // namespace strata::hdf5::api
