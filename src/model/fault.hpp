#pragma once
// Test-only fault injection (docs/architecture.md, "Faults"; tests/integration/check_faults.py).
// STRATA_FAULT=RANK:PHASE[:N] makes rank RANK (of MPI_COMM_WORLD, as the launcher numbers it)
// throw strata::Error("injected fault in PHASE on rank RANK") at its N-th (from 0, default 0)
// pass through PHASE, so tests can prove that a failure anywhere ends every rank with one
// message and nothing left behind. Unset (the default) it costs one cached load per call.
// Read once, on the first call; a malformed value is itself an injected error.
#include <cstdint>

namespace strata {

enum class FaultPhase {
  open,      // opening the input (Array::open)
  plan,      // planning a read, stream or reduction
  read,      // reading a chunk: N counts this rank's chunk reads
  exchange,  // preparing an exchange: gather rounds, Alltoallw, plane gather, reduction
  write,     // writing an output window: N counts this rank's windows
  commit,    // flushing the output before its rename
  close,     // closing an output inside a collective library call (HDF5's close under MPI-IO):
             // the other ranks are already inside the call, so this rank fails alone
};

namespace detail {
void inject_fault_slow(FaultPhase phase);
extern bool fault_armed;  // set once, before any thread is started, by the first call's reading
}  // namespace detail

// Throws when STRATA_FAULT names this rank, `phase` and this pass's number.
inline void inject_fault(FaultPhase phase) {
  if (detail::fault_armed) detail::inject_fault_slow(phase);
}

}  // namespace strata
