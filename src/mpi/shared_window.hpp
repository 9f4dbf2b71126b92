#pragma once
// One array per node in memory that the node's ranks share: an MPI-3 shared window
// (MPI_Comm_split_type(MPI_COMM_TYPE_SHARED) + MPI_Win_allocate_shared). The node's first
// rank allocates it; every rank of the node stores into it and loads from it directly.
#include <mpi.h>

#include <cstddef>
#include <cstdint>

#include "mpi/comm.hpp"

namespace strata::mpi {

class SharedWindow {
 public:
  // Collective over `comm`: `bytes` shared by the ranks of each node.
  SharedWindow(const Comm& comm, std::uint64_t bytes);
  // Collective over the node's ranks (MPI_Win_free); nothing once MPI is finalized.
  ~SharedWindow();
  SharedWindow(const SharedWindow&) = delete;
  SharedWindow& operator=(const SharedWindow&) = delete;

  std::byte* data() const noexcept { return base_; }
  const Comm& node() const noexcept { return node_; }
  // Collective over the node: every rank's stores so far are seen by every rank after it.
  void sync() const;

 private:
  Comm node_;
  MPI_Win window_ = MPI_WIN_NULL;
  std::byte* base_ = nullptr;
};

}  // namespace strata::mpi
