#pragma once
// Moves pieces of arrays between ranks in one MPI_Alltoallw: each rank sends every peer one
// message whose derived datatype gathers its pieces from wherever they lie (a staging buffer,
// the rank's own box) and receives each peer's message straight into place (its own box,
// which may be strided memory the caller owns). Displacements are absolute addresses in
// 64-bit MPI_Aints, so no count or offset is limited to 2 GiB.
#include <cstdint>
#include <vector>

#include "mpi/comm.hpp"
#include "strata/buffer.hpp"

namespace strata::mpi {

struct Transfer {
  int peer = 0;  // the rank sent to, or received from (this rank itself: a local copy)
  View where;    // the elements, in C order over the view's shape
};

// Collective. `sends` and `receives` list, for each peer, its pieces in the same order on
// both sides (the sender's k-th piece to a peer is that peer's k-th piece from it, with the
// same element count). Returns the bytes this rank sent to other ranks.
std::uint64_t exchange(const Comm& comm, const std::vector<Transfer>& sends, const std::vector<Transfer>& receives);

}  // namespace strata::mpi
