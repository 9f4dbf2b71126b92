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

Datatype region_type(const Box& region, const Shape& array_shape, std::size_t element_size) {
  const auto strides = c_strides(array_shape, static_cast<std::int64_t>(element_size));
  const Shape extent = region.shape();
  // The trailing axes the region spans fully, plus the first partial one, are one run.
  std::size_t axis = array_shape.size();
  std::uint64_t run = element_size;
  while (axis > 0) {
    --axis;
    run *= static_cast<std::uint64_t>(extent[axis]);
    if (extent[axis] != array_shape[axis]) break;
  }
  Datatype type = bytes_type(run);
  for (std::size_t i = axis; i-- > 0;) {
    if (extent[i] == 1) continue;
    MPI_Datatype outer;
    check(MPI_Type_create_hvector(static_cast<int>(extent[i]), 1, static_cast<MPI_Aint>(strides[i]),
                                  type.get(), &outer),
          "MPI_Type_create_hvector");
    type = Datatype(outer);
  }
  MPI_Aint displacement = 0;
  for (std::size_t i = 0; i < array_shape.size(); ++i) displacement += region.start[i] * strides[i];
  int length = 1;
  MPI_Datatype placed;
  MPI_Datatype inner = type.get();
  check(MPI_Type_create_struct(1, &length, &displacement, &inner, &placed), "MPI_Type_create_struct");
  return Datatype(placed);
}

Datatype regions_type(const std::vector<Box>& regions, const Shape& array_shape, std::size_t element_size) {
  std::vector<Datatype> parts;
  parts.reserve(regions.size());
  for (const auto& r : regions) parts.push_back(region_type(r, array_shape, element_size));
  std::vector<int> lengths(parts.size(), 1);
  std::vector<MPI_Aint> displacements(parts.size(), 0);
  std::vector<MPI_Datatype> types;
  types.reserve(parts.size());
  for (const auto& p : parts) types.push_back(p.get());
  MPI_Datatype out;
  check(MPI_Type_create_struct(static_cast<int>(types.size()), lengths.data(), displacements.data(),
                               types.data(), &out),
        "MPI_Type_create_struct");
  return Datatype(out);
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
  }
  return MPI_DATATYPE_NULL;
}

}  // namespace strata
