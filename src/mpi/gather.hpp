#pragma once
// Gathers the pieces a plan gave to each rank into one C-order array on the root,
// receiving each peer's pieces in place with one derived datatype per peer.
#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "mpi/comm.hpp"
#include "strata/buffer.hpp"
#include "strata/plan.hpp"

namespace strata::mpi {

// Collective. On non-root ranks `local` holds this rank's reads back to back (at their
// local_offset); on the root, `out` views the whole selection (any strides), where the root's
// own reads already are. `out` is ignored elsewhere.
void gather_pieces(const Comm& comm, const Plan& plan, std::span<const std::byte> local, const View& out,
                   int root);

// Collective. Hands `consume`, on `root`, each plane of an array of `shape` in C order (a
// plane: the trailing `plane_axes` axes), assembled in one plane buffer from the ranks'
// parts: rank r holds `boxes[r]` (array coordinates), this rank's in `mine`. A plane inside
// the root's own box comes from it alone; otherwise each rank meeting the plane sends its
// piece, received one rank after another in rank order (so overlapping boxes are safe). When
// `consume` throws, every rank throws that error once all planes have been through.
void gather_planes(const Comm& comm, const View& mine, const std::vector<Box>& boxes, const Shape& shape,
                   int plane_axes, int root, const std::function<void(std::span<const std::byte>)>& consume);

}  // namespace strata::mpi
