#pragma once
// Gathers what ranks decoded onto one rank: a plan's reads in rounds (RootPlacement), or a
// distributed array plane by plane (PlaneStream's gather).
#include <cstddef>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "mpi/comm.hpp"
#include "mpi/datatypes.hpp"
#include "strata/buffer.hpp"
#include "strata/plan.hpp"

namespace strata::mpi {

// A gather in rounds (RootPlacement): in each round every rank other than the root sends
// the reads it decoded that round, back to back in one of two send buffers (`slot` 0 or 1),
// and the root receives them in place in `out` (any strides) with one derived datatype per
// rank. A sender so holds two rounds' bytes, not its share, and decodes the next round while
// the root takes this one.
class RoundGather {
 public:
  RoundGather(const Comm& comm, const Plan& plan, int root, const View& out)
      : comm_(comm), plan_(plan), root_(root), out_(out) {}
  // Waits for the sends still in flight (the root took their bytes before its next round).
  ~RoundGather();
  RoundGather(const RoundGather&) = delete;
  RoundGather& operator=(const RoundGather&) = delete;

  // Not the root: returns once the send from buffer `slot` is done, so it may be reused.
  void reuse(int slot);
  // Not the root: starts sending `bytes` (this rank's reads of the round) from buffer `slot`.
  void send(int slot, std::span<const std::byte> bytes);
  // The root, inside the round's agreed step (it may fail; receive() then is never reached):
  // the datatypes that place rank r's reads [first[r], last[r]) of its plan, for every rank r
  // other than itself that has any.
  void prepare(const std::vector<std::size_t>& first, const std::vector<std::size_t>& last);
  // The root: receives the prepared round into place and returns when all of it has arrived.
  void receive();

 private:
  const Comm& comm_;
  const Plan& plan_;
  int root_;
  View out_;
  MPI_Request sending_[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
  Datatype types_[2];
  std::vector<std::pair<int, Datatype>> round_;  // the root's prepared receives: rank, datatype
};

// Collective. Hands `consume`, on `root`, each plane of an array of `shape` in C order (a
// plane: the trailing `plane_axes` axes), assembled in one plane buffer from the ranks'
// parts: rank r holds `boxes[r]` (array coordinates), this rank's in `mine`. A plane inside
// the root's own box comes from it alone; otherwise each rank meeting the plane sends its
// piece, received one rank after another in rank order (so overlapping boxes are safe). When
// `consume` throws, every rank throws that error once all planes have been through.
void gather_planes(const Comm& comm, const View& mine, const std::vector<Box>& boxes, const Shape& shape,
                   int plane_axes, int root, const std::function<void(std::span<const std::byte>)>& consume);

}  // namespace strata::mpi
