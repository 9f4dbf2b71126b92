#pragma once
// What one rank may hold of a read's result, checked before anything is allocated: a file
// of a few hundred bytes can claim an array of terabytes.
#include <cstdint>
#include <string>

#include "mpi/comm.hpp"
#include "strata/array.hpp"

namespace strata {

// ReadOptions::max_memory when set, else this rank's share of what its node has available
// now (exec::memory_available() over the ranks on the node).
std::uint64_t memory_limit(const mpi::Comm& comm, const ReadOptions& options);

// Collective: when some rank would hold more than its limit, every rank throws strata::Error
// (the first such rank's message), naming `what` and the bytes. Nothing is allocated.
void check_memory(const mpi::Comm& comm, std::uint64_t bytes, const ReadOptions& options, const std::string& what);

}  // namespace strata
