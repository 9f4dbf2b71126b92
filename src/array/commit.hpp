#pragma once
// Atomic, durable outputs: writers write to a temporary beside the destination
// (io/temporary.hpp: named after the writing process and locked while it writes), which is
// flushed to disk and renamed to the destination only once every rank has succeeded. A
// failure, on any rank, leaves nothing at the destination and removes the temporary; a
// temporary a killed job left behind is removed by the next write into the same folder.
#include <cstdint>
#include <memory>
#include <string>

#include "formats/format.hpp"
#include "io/temporary.hpp"
#include "mpi/comm.hpp"
#include "strata/error.hpp"

namespace strata {

class PendingOutput {
 public:
  // Collective. Rank 0 removes the stale temporaries in the destination's folder, checks the
  // destination (refused when it exists and !overwrite, or when it is not an output of
  // `format`: overwrite replaces nothing else; refused when its folder does not exist or
  // cannot be written), picks the temporary name and locks it; every rank gets the name.
  static PendingOutput prepare(const mpi::Comm& comm, const std::string& destination, bool overwrite,
                               const Format& format);
  PendingOutput(PendingOutput&&) = default;
  PendingOutput& operator=(PendingOutput&&) = delete;
  // Abandons an output that was not committed.
  ~PendingOutput() { abandon(); }

  const std::string& temporary() const noexcept { return temporary_; }
  const std::string& destination() const noexcept { return destination_; }
  // Rank 0: marks the writer alive for cleaners on other hosts (io::TemporaryLock::touch).
  void touch() const noexcept {
    if (lock_) lock_->touch();
  }
  // Collective, once the writer has returned on every rank: every rank flushes what it
  // wrote to disk (fsync, or syncfs for a folder), then rank 0 moves the temporary to the
  // destination (replacing what is there when overwrite was given) and flushes the folder,
  // before and after. Returns the bytes of everything written (on rank 0; 0 elsewhere).
  std::uint64_t commit(const mpi::Comm& comm);
  // Not collective: rank 0 removes the temporary and its lock. For a failure every rank
  // already agreed on; nothing to do once committed or abandoned.
  void abandon() noexcept;
  // Collective calls a rank failed alone cannot be agreed (UnagreedFailure): this rank removes
  // the temporary and its lock, prints `strata: error: ` and `e` in the destination's terms
  // on stderr, and ends the job (MPI_Abort, exit status 2). Any rank may call it.
  [[noreturn]] void abort(const mpi::Comm& comm, const Error& e) const noexcept;
  // `e` as the user should read it: the destination named instead of the temporary (a part
  // inside a folder output becomes the error's chunk, e.g. "0/3/0/0").
  Error in_destination_terms(const Error& e) const;

 private:
  PendingOutput() = default;
  std::string destination_;
  std::string temporary_;
  bool overwrite_ = false;
  const Format* format_ = nullptr;
  std::unique_ptr<io::TemporaryLock> lock_;  // rank 0, until committed or abandoned
};

}  // namespace strata
