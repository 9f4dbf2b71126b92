#include "mpi/shared_window.hpp"

namespace strata::mpi {

SharedWindow::SharedWindow(const Comm& comm, std::uint64_t bytes) : node_(comm.split_node()) {
  const MPI_Aint mine = node_.rank() == 0 ? static_cast<MPI_Aint>(bytes) : 0;
  void* base = nullptr;
  check(MPI_Win_allocate_shared(mine, 1, MPI_INFO_NULL, node_.get(), &base, &window_), "MPI_Win_allocate_shared");
  check(MPI_Win_set_errhandler(window_, MPI_ERRORS_RETURN), "MPI_Win_set_errhandler");
  MPI_Aint size = 0;
  int unit = 1;
  check(MPI_Win_shared_query(window_, 0, &size, &unit, &base), "MPI_Win_shared_query");
  base_ = static_cast<std::byte*>(base);
  // A passive epoch for the window's whole life: loads and stores need only sync().
  check(MPI_Win_lock_all(MPI_MODE_NOCHECK, window_), "MPI_Win_lock_all");
}

SharedWindow::~SharedWindow() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized || window_ == MPI_WIN_NULL) return;
  MPI_Win_unlock_all(window_);
  MPI_Win_free(&window_);
}

void SharedWindow::sync() const {
  check(MPI_Win_sync(window_), "MPI_Win_sync");
  node_.barrier();
  check(MPI_Win_sync(window_), "MPI_Win_sync");
}

}  // namespace strata::mpi
