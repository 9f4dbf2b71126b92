#include "formats/hdf5/api/dataspace.hpp"

namespace strata::hdf5::api {

Id dataspace_create(std::span<const hsize_t> dims, const std::string& path) {
  return Id(check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), path,
                  "HDF5: cannot create a dataspace"));
}

Id dataspace_copy(hid_t space, const std::string& path) {
  return Id(check(H5Scopy(space), path, "HDF5: cannot copy a dataspace"));
}

H5S_class_t dataspace_class(hid_t space, const std::string& path) {
  return check(H5Sget_simple_extent_type(space), path, "HDF5: cannot read a dataspace's kind");
}

std::vector<hsize_t> dataspace_dims(hid_t space, const std::string& path) {
  constexpr const char* kWhat = "HDF5: cannot read a dataspace's dims";
  std::vector<hsize_t> dims(static_cast<std::size_t>(check(H5Sget_simple_extent_ndims(space), path, kWhat)));
  if (!dims.empty()) check(H5Sget_simple_extent_dims(space, dims.data(), nullptr), path, kWhat);
  return dims;
}

std::uint64_t dataspace_point_count(hid_t space, const std::string& path) {
  return static_cast<std::uint64_t>(
      check(H5Sget_simple_extent_npoints(space), path, "HDF5: cannot count a dataspace's elements"));
}

void dataspace_select_box(hid_t space, std::span<const hsize_t> start, std::span<const hsize_t> count,
                          const std::string& path) {
  check(H5Sselect_hyperslab(space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr), path,
        "HDF5: cannot select a box");
}

void dataspace_select_none(hid_t space, const std::string& path) {
  check(H5Sselect_none(space), path, "HDF5: cannot clear a selection");
}

}  // namespace strata::hdf5::api
