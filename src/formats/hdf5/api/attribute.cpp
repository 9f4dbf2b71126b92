#include "formats/hdf5/api/attribute.hpp"

#include <hdf5_hl.h>

#include <cstring>

#include "formats/hdf5/api/dataspace.hpp"
#include "formats/hdf5/api/datatype.hpp"

namespace strata::hdf5::api {
namespace {

Id attribute_space(hid_t attribute, const std::string& path) {
  return Id(check(H5Aget_space(attribute), path, "HDF5: cannot read an attribute's dataspace"));
}

void attribute_read(hid_t attribute, hid_t memory_type, void* out, const std::string& path) {
  check(H5Aread(attribute, memory_type, out), path, "HDF5: cannot read an attribute");
}

Id attribute_create(hid_t object, const std::string& name, hid_t type, hid_t space, const std::string& path) {
  return Id(check(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), path,
                  ("HDF5: cannot create attribute " + name).c_str()));
}

void attribute_write(hid_t attribute, hid_t memory_type, const void* data, const std::string& path) {
  check(H5Awrite(attribute, memory_type, data), path, "HDF5: cannot write an attribute");
}

// Frees the strings HDF5 allocated when reading variable-length ones into `buffer`.
void vlen_reclaim(hid_t type, hid_t space, void* buffer, const std::string& path) {
  check(H5Dvlen_reclaim(type, space, H5P_DEFAULT, buffer), path, "HDF5: cannot free variable-length strings");
}

}  // namespace

bool attribute_exists(hid_t object, const std::string& name, const std::string& path) {
  return check(H5Aexists(object, name.c_str()), path, ("HDF5: cannot look up attribute " + name).c_str()) > 0;
}

Id attribute_open(hid_t object, const std::string& name, const std::string& path) {
  return Id(check(H5Aopen(object, name.c_str(), H5P_DEFAULT), path, ("HDF5: cannot open attribute " + name).c_str()));
}

Id attribute_type(hid_t attribute, const std::string& path) {
  return Id(check(H5Aget_type(attribute), path, "HDF5: cannot read an attribute's type"));
}

std::vector<std::string> attribute_read_strings(hid_t attribute, hid_t type, const std::string& path) {
  const Id space = attribute_space(attribute, path);
  std::vector<std::string> values(dataspace_point_count(space.get(), path));
  if (values.empty()) return values;
  if (type_is_variable_string(type, path)) {
    const Id memory = string_type(0, path);
    std::vector<char*> strings(values.size(), nullptr);
    attribute_read(attribute, memory.get(), strings.data(), path);
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = strings[i] ? strings[i] : "";
    vlen_reclaim(memory.get(), space.get(), strings.data(), path);
  } else {
    const std::size_t size = type_size(type, path);
    const Id memory = string_type(size, path);
    std::vector<char> buffer(size * values.size());
    attribute_read(attribute, memory.get(), buffer.data(), path);
    for (std::size_t i = 0; i < values.size(); ++i) {
      const char* s = buffer.data() + i * size;
      values[i].assign(s, strnlen(s, size));
    }
  }
  return values;
}

std::vector<double> attribute_read_doubles(hid_t attribute, const std::string& path) {
  const Id space = attribute_space(attribute, path);
  std::vector<double> values(dataspace_point_count(space.get(), path));
  if (!values.empty()) attribute_read(attribute, H5T_NATIVE_DOUBLE, values.data(), path);
  return values;
}

void attribute_write_doubles(hid_t object, const std::string& name, std::span<const double> values,
                             const std::string& path) {
  const hsize_t count = values.size();
  const Id space = dataspace_create({&count, 1}, path);
  const Id attribute = attribute_create(object, name, little_endian_type(DType::float64), space.get(), path);
  attribute_write(attribute.get(), H5T_NATIVE_DOUBLE, values.data(), path);
}

void dimension_label_set(hid_t dataset, unsigned axis, const std::string& label, const std::string& path) {
  check(H5DSset_label(dataset, axis, label.c_str()), path, "HDF5: cannot label a dimension");
}

}  // namespace strata::hdf5::api
