#pragma once
// Derived MPI datatypes that describe where bytes go, so messages are received in place.
// All sizes are 64-bit: a region of several GiB is one datatype, never an int byte count.
#include <mpi.h>

#include <cstdint>
#include <vector>

#include "strata/box.hpp"

namespace strata::mpi {

// Owns one MPI_Datatype (freed on destruction).
class Datatype {
 public:
  Datatype() = default;
  explicit Datatype(MPI_Datatype t) : type_(t) {}
  Datatype(Datatype&& o) noexcept : type_(o.type_) { o.type_ = MPI_DATATYPE_NULL; }
  Datatype& operator=(Datatype&& o) noexcept;
  Datatype(const Datatype&) = delete;
  Datatype& operator=(const Datatype&) = delete;
  ~Datatype();

  MPI_Datatype get() const noexcept { return type_; }
  Datatype& commit();

 private:
  MPI_Datatype type_ = MPI_DATATYPE_NULL;
};

// `n` contiguous bytes, any n.
Datatype bytes_type(std::uint64_t n);

// The elements of `region` inside a C-order array of `array_shape` elements of
// `element_size` bytes, displaced from the array's first byte.
Datatype region_type(const Box& region, const Shape& array_shape, std::size_t element_size);

// Several regions of one array as one datatype (for one message per peer).
Datatype regions_type(const std::vector<Box>& regions, const Shape& array_shape, std::size_t element_size);

}  // namespace strata::mpi
