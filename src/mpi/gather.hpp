#pragma once
// Gathers the pieces a plan gave to each rank into one C-order array on the root,
// receiving each peer's pieces in place with one derived datatype per peer.
#include <cstddef>
#include <span>

#include "mpi/comm.hpp"
#include "strata/plan.hpp"

namespace strata::mpi {

// Collective. On non-root ranks `local` holds this rank's reads back to back (at their
// local_offset); on the root, `out` is the whole selection, where the root's own reads
// already are. `out` is ignored elsewhere.
void gather_pieces(const Comm& comm, const Plan& plan, std::span<const std::byte> local, std::byte* out,
                 int root);

}  // namespace strata::mpi
