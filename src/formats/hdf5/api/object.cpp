#include "formats/hdf5/api/object.hpp"

namespace strata::hdf5::api {
namespace {

herr_t collect_dataset(hid_t, const char* name, const H5O_info_t* info, void* data) {
  if (info->type == H5O_TYPE_DATASET) static_cast<std::vector<std::string>*>(data)->push_back(name);
  return 0;
}

}  // namespace

Id object_open(hid_t file, const std::string& name, const std::string& path) {
  return Id(check(H5Oopen(file, name.c_str(), H5P_DEFAULT), path, ("HDF5: cannot open " + name).c_str()));
}

std::optional<H5O_type_t> object_type(hid_t file, const std::string& name) {
  H5O_info_t info{};
  if (H5Oget_info_by_name2(file, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) >= 0) return info.type;
  // Its failure is how HDF5 says no such object (a missing link or group on the way).
  H5Eclear2(H5E_DEFAULT);
  return std::nullopt;
}

std::vector<std::string> object_datasets_below(hid_t group, const std::string& path) {
  std::vector<std::string> names;
  check(H5Ovisit2(group, H5_INDEX_NAME, H5_ITER_INC, collect_dataset, &names, H5O_INFO_BASIC), path,
        "HDF5: cannot list the datasets");
  return names;
}

}  // namespace strata::hdf5::api
