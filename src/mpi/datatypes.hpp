#pragma once
// Derived MPI datatypes that describe where bytes go, so messages are received in place.
// All sizes are 64-bit: a region of several GiB is one datatype, never an int byte count.
#include <mpi.h>

#include <cstdint>
#include <vector>

#include "strata/buffer.hpp"

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

// The elements `view` points at, at their absolute address: for buffers given as
// MPI_BOTTOM, so that one message can gather from, or scatter into, several buffers, and
// into strided memory the caller owns.
Datatype view_type(const View& view);
// The elements of `view` relative to view.data (for a buffer given as view.data): one type
// serves every view of the same shape and strides.
Datatype layout_type(const View& view);
// Several views as one datatype, in order (the elements of each in C order).
Datatype views_type(const std::vector<View>& views);

}  // namespace strata::mpi
