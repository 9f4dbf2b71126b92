#pragma once
// The MPI datatype of each element type, for applications that send or reduce what strata
// read (e.g. MPI_Reduce over slabs) without a switch of their own.
#include <mpi.h>

#include "strata/dtype.hpp"

namespace strata {

// A predefined datatype (never to be freed): MPI_UINT16_T for uint16, MPI_FLOAT for
// float32, MPI_C_BOOL for bool, ...; MPI_DATATYPE_NULL for float16, which MPI lacks.
MPI_Datatype mpi_datatype(DType t) noexcept;

}  // namespace strata
