#pragma once
// The only code that calls MPI. A thin wrapper over a communicator: status agreement so
// that one failing rank ends every rank with the same error, broadcast of bytes, and
// reductions of statistics. MPI is called from one thread only (MPI_THREAD_FUNNELED).
#include <mpi.h>

#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <vector>

namespace strata::mpi {

// Throws strata::Error("", "<what>: <MPI error string>") when rc is not MPI_SUCCESS.
void check(int rc, const char* what);

class Comm {
 public:
  explicit Comm(MPI_Comm comm);  // does not take ownership
  // A duplicate of `comm` that this Comm owns (freed with it), with MPI_ERRORS_RETURN set,
  // so that MPI failures come back as strata::Errors (see check) instead of aborting.
  static Comm duplicate(MPI_Comm comm);
  Comm(Comm&& other) noexcept;
  Comm& operator=(Comm&&) = delete;
  Comm(const Comm&) = delete;
  Comm& operator=(const Comm&) = delete;
  ~Comm();

  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }
  MPI_Comm get() const noexcept { return comm_; }

  // Collective. `local` is this rank's failure (null when it succeeded). When any rank
  // failed, every rank throws the same strata::Error: the lowest failing rank's.
  void agree(std::exception_ptr local) const;

  // Collective. Returns root's `bytes` on every rank.
  std::string broadcast(std::string bytes, int root) const;
  // Point to point: `bytes` (any size) to rank `to`, which takes them with receive(this rank).
  void send(std::span<const std::byte> bytes, int to) const;
  std::vector<std::byte> receive(int from) const;

  std::uint64_t max(std::uint64_t value) const;
  std::uint64_t sum(std::uint64_t value) const;
  // The sum of `value` over the ranks below this one (0 on rank 0).
  std::uint64_t exclusive_sum(std::uint64_t value) const;
  double max(double value) const;
  // Every rank's `value`, in rank order.
  std::vector<std::uint64_t> all_gather(std::uint64_t value) const;
  void barrier() const;
  // Ends every rank of the job (MPI_Abort) with exit status `status`: only for a failure the
  // ranks cannot agree on (formats/format_writer.hpp, UnagreedFailure).
  [[noreturn]] void abort(int status) const noexcept;
  // Seconds since an arbitrary moment, the same clock on every rank of a job (MPI_Wtime).
  static double now() noexcept;
  // Collective. How many ranks of this communicator share this rank's node.
  int ranks_on_node() const;
  // Collective. The ranks of this communicator that share this rank's node (same order),
  // owned by the returned Comm, errors returned.
  Comm split_node() const;

 private:
  static Comm adopt(MPI_Comm comm);  // owns `comm`, errors returned
  MPI_Comm comm_;
  bool owned_ = false;
  int rank_ = 0;
  int size_ = 1;
};

// Runs `step` on this rank, then agrees on its outcome with every other rank.
template <class Step>
void agreed(const Comm& comm, Step&& step) {
  std::exception_ptr failure;
  try {
    step();
  } catch (...) {
    failure = std::current_exception();
  }
  comm.agree(failure);
}

}  // namespace strata::mpi
