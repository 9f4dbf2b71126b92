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

Id object_file(hid_t object, const std::string& path) {
  return Id(check(H5Iget_file_id(object), path, "HDF5: cannot find the file of an object"));
}

bool object_same_file(hid_t a, hid_t b, const std::string& path) {
  H5O_info_t info_a{}, info_b{};
  check(H5Oget_info2(a, &info_a, H5O_INFO_BASIC), path, "HDF5: cannot read an object's information");
  check(H5Oget_info2(b, &info_b, H5O_INFO_BASIC), path, "HDF5: cannot read an object's information");
  return info_a.fileno == info_b.fileno;
}

std::optional<ExternalLink> link_external_target(hid_t file, const std::string& name, const std::string& path) {
  H5L_info_t info{};
  if (H5Lget_info(file, name.c_str(), &info, H5P_DEFAULT) < 0) {
    H5Eclear2(H5E_DEFAULT);  // no such link: not an external one
    return std::nullopt;
  }
  if (info.type != H5L_TYPE_EXTERNAL) return std::nullopt;
  std::string value(info.u.val_size, '\0');
  check(H5Lget_val(file, name.c_str(), value.data(), value.size(), H5P_DEFAULT), path,
        ("HDF5: cannot read the external link " + name).c_str());
  const char* target_file = nullptr;
  const char* target_object = nullptr;
  check(H5Lunpack_elink_val(value.data(), value.size(), nullptr, &target_file, &target_object), path,
        ("HDF5: cannot read the external link " + name).c_str());
  return ExternalLink{target_file, target_object};
}

}  // namespace strata::hdf5::api
