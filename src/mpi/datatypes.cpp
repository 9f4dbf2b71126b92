#include "mpi/datatypes.hpp"

#include <climits>

#include "mpi/comm.hpp"
#include "strata/grid.hpp"
#include "strata/mpi_datatype.hpp"

namespace strata::mpi {
namespace {

constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;

MPI_Datatype contiguous_bytes(std::uint64_t n) {
  MPI_Datatype t;
  check(MPI_Type_contiguous(static_cast<int>(n), MPI_BYTE, &t), "MPI_Type_contiguous");
  return t;
}

}  // namespace

Datatype& Datatype::operator=(Datatype&& o) noexcept {
  std::swap(type_, o.type_);
  return *this;
}

Datatype::~Datatype() {
  if (type_ != MPI_DATATYPE_NULL) MPI_Type_free(&type_);
}

Datatype& Datatype::commit() {
  check(MPI_Type_commit(&type_), "MPI_Type_commit");
  return *this;
}

Datatype bytes_type(std::uint64_t n) {
  if (n <= static_cast<std::uint64_t>(INT_MAX)) return Datatype(contiguous_bytes(n));
  // Whole GiBs as one contiguous type, the rest appended with a struct.
  Datatype gib(contiguous_bytes(kGiB));
  MPI_Datatype whole;
  check(MPI_Type_contiguous(static_cast<int>(n / kGiB), gib.get(), &whole), "MPI_Type_contiguous");
  Datatype whole_type(whole);
  if (n % kGiB == 0) return whole_type;
  Datatype rest(contiguous_bytes(n % kGiB));
  int lengths[2] = {1, 1};
  MPI_Aint displacements[2] = {0, static_cast<MPI_Aint>(n / kGiB * kGiB)};
  MPI_Datatype types[2] = {whole_type.get(), rest.get()};
  MPI_Datatype out;
  check(MPI_Type_create_struct(2, lengths, displacements, types, &out), "MPI_Type_create_struct");
  return Datatype(out);
}

namespace {

// The elements of an array of `extent` elements of `element_size` bytes that lie
// `byte_strides` apart, from its first byte: the trailing axes that are contiguous form one
// byte run, the others an hvector nest (strides are 64-bit MPI_Aints).
Datatype strided_type(const Shape& extent, const std::vector<std::int64_t>& byte_strides, std::size_t element_size) {
  std::size_t axis = extent.size();
  std::uint64_t run = element_size;
  while (axis > 0 && (extent[axis - 1] == 1 || byte_strides[axis - 1] == static_cast<std::int64_t>(run))) {
    --axis;
    run *= static_cast<std::uint64_t>(extent[axis]);
  }
  Datatype type = bytes_type(run);
  for (std::size_t i = axis; i-- > 0;) {
    if (extent[i] == 1) continue;
    MPI_Datatype outer;
    check(MPI_Type_create_hvector(static_cast<int>(extent[i]), 1, static_cast<MPI_Aint>(byte_strides[i]),
                                  type.get(), &outer),
          "MPI_Type_create_hvector");
    type = Datatype(outer);
  }
  return type;
}

// `type` displaced by `displacement` bytes.
Datatype placed(const Datatype& type, MPI_Aint displacement) {
  int length = 1;
  MPI_Datatype out;
  MPI_Datatype inner = type.get();
  check(MPI_Type_create_struct(1, &length, &displacement, &inner, &out), "MPI_Type_create_struct");
  return Datatype(out);
}

// Several datatypes, each at its own displacement, as one.
Datatype combined(const std::vector<Datatype>& parts) {
  std::vector<int> lengths(parts.size(), 1);
  std::vector<MPI_Aint> displacements(parts.size(), 0);
  std::vector<MPI_Datatype> types;
  types.reserve(parts.size());
  for (const auto& p : parts) types.push_back(p.get());
  MPI_Datatype out;
  check(MPI_Type_create_struct(static_cast<int>(types.size()), lengths.data(), displacements.data(), types.data(),
                               &out),
        "MPI_Type_create_struct");
  return Datatype(out);
}

}  // namespace

Datatype view_type(const View& view) {
  MPI_Aint address = 0;
  check(MPI_Get_address(view.data, &address), "MPI_Get_address");
  return placed(strided_type(view.shape, view.byte_strides, size_of(view.dtype)), address);
}

Datatype layout_type(const View& view) {
  return strided_type(view.shape, view.byte_strides, size_of(view.dtype));
}

Datatype views_type(const std::vector<View>& views) {
  std::vector<Datatype> parts;
  parts.reserve(views.size());
  for (const auto& v : views) parts.push_back(view_type(v));
  return combined(parts);
}

}  // namespace strata::mpi

namespace strata {

MPI_Datatype mpi_datatype(DType t) noexcept {
  switch (t) {
    case DType::uint8: return MPI_UINT8_T;
    case DType::uint16: return MPI_UINT16_T;
    case DType::uint32: return MPI_UINT32_T;
    case DType::uint64: return MPI_UINT64_T;
    case DType::int8: return MPI_INT8_T;
    case DType::int16: return MPI_INT16_T;
    case DType::int32: return MPI_INT32_T;
    case DType::int64: return MPI_INT64_T;
    case DType::float32: return MPI_FLOAT;
    case DType::float64: return MPI_DOUBLE;
    case DType::bool_: return MPI_C_BOOL;
    case DType::float16: break;  // MPI has no half-precision type
  }
  return MPI_DATATYPE_NULL;
}

}  // namespace strata
