#pragma once
// Atomic outputs: writers write to a temporary name beside the destination, which is
// renamed to the destination only once every rank has succeeded. A failure, on any rank,
// leaves nothing at the destination and removes the temporary.
#include <cstdint>
#include <string>

#include "mpi/comm.hpp"

namespace strata {

class PendingOutput {
 public:
  // Collective. Rank 0 checks the destination (refused when it exists and !overwrite, or
  // when its folder does not exist) and picks the temporary name; every rank gets it.
  static PendingOutput prepare(const mpi::Comm& comm, const std::string& destination, bool overwrite);

  const std::string& temporary() const noexcept { return temporary_; }
  // Collective, once the writer has returned on every rank: moves the temporary to the
  // destination (replacing what is there when overwrite was given). Returns the bytes of
  // everything written (on rank 0; 0 elsewhere).
  std::uint64_t commit(const mpi::Comm& comm);
  // Not collective: rank 0 removes the temporary. For a failure every rank already agreed on.
  void abandon(const mpi::Comm& comm) noexcept;

 private:
  std::string destination_;
  std::string temporary_;
  bool overwrite_ = false;
};

}  // namespace strata
