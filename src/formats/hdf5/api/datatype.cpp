#include "formats/hdf5/api/datatype.hpp"

namespace strata::hdf5::api {
namespace {

Id type_copy(hid_t type, const std::string& path) {
  return Id(check(H5Tcopy(type), path, "HDF5: cannot copy a datatype"));
}

void type_set_size(hid_t type, std::size_t size, const std::string& path) {
  check(H5Tset_size(type, size), path, "HDF5: cannot set a datatype's size");
}

}  // namespace

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
    case DType::float16:  // no predefined HDF5 type; the writer refuses these
    case DType::bool_:
      break;
  }
  return H5T_STD_U8LE;
}

hid_t big_endian_type(DType t) noexcept {
  switch (t) {
    case DType::uint8:
      return H5T_STD_U8BE;
    case DType::uint16:
      return H5T_STD_U16BE;
    case DType::uint32:
      return H5T_STD_U32BE;
    case DType::uint64:
      return H5T_STD_U64BE;
    case DType::int8:
      return H5T_STD_I8BE;
    case DType::int16:
      return H5T_STD_I16BE;
    case DType::int32:
      return H5T_STD_I32BE;
    case DType::int64:
      return H5T_STD_I64BE;
    case DType::float32:
      return H5T_IEEE_F32BE;
    case DType::float64:
      return H5T_IEEE_F64BE;
    case DType::float16:
    case DType::bool_:
      break;
  }
  return H5T_STD_U8BE;
}

H5T_class_t type_class(hid_t type, const std::string& path) {
  return check(H5Tget_class(type), path, "HDF5: cannot read a datatype's class");
}

std::size_t type_size(hid_t type, const std::string& path) {
  const std::size_t size = H5Tget_size(type);
  if (size == 0) fail(path, "HDF5: cannot read a datatype's size");  // 0 is its failure
  return size;
}

Id type_super(hid_t type, const std::string& path) {
  return Id(check(H5Tget_super(type), path, "HDF5: cannot read the base of a datatype"));
}

bool type_is_big_endian(hid_t type, const std::string& path) {
  return check(H5Tget_order(type), path, "HDF5: cannot read a datatype's byte order") == H5T_ORDER_BE;
}

bool type_is_signed(hid_t type, const std::string& path) {
  return check(H5Tget_sign(type), path, "HDF5: cannot read a datatype's sign") == H5T_SGN_2;
}

std::size_t type_precision(hid_t type, const std::string& path) {
  const std::size_t precision = H5Tget_precision(type);
  if (precision == 0) fail(path, "HDF5: cannot read a datatype's precision");  // 0 is its failure
  return precision;
}

std::size_t type_offset(hid_t type, const std::string& path) {
  return static_cast<std::size_t>(check(H5Tget_offset(type), path, "HDF5: cannot read a datatype's bit offset"));
}

bool type_equal(hid_t a, hid_t b, const std::string& path) {
  return check(H5Tequal(a, b), path, "HDF5: cannot compare datatypes") > 0;
}

bool type_is_variable_string(hid_t type, const std::string& path) {
  return check(H5Tis_variable_str(type), path, "HDF5: cannot read whether strings vary in length") > 0;
}

Id string_type(std::size_t size, const std::string& path) {
  Id type = type_copy(H5T_C_S1, path);
  type_set_size(type.get(), size == 0 ? H5T_VARIABLE : size, path);
  return type;
}

}  // namespace strata::hdf5::api
