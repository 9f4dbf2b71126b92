#pragma once
// What one rank may hold of a read's result, checked before anything is allocated: a file
// of a few hundred bytes can claim an array of terabytes.
#include <cstdint>
#include <string>

#include "mpi/comm.hpp"
#include "strata/array.hpp"
#include "strata/plan.hpp"

namespace strata {

// A byte count worked out in long double (hostile sizes overflow 64 bits), as a uint64: the
// largest when beyond it.
std::uint64_t clamped(long double bytes);

// ReadOptions::max_memory when set, else this rank's share of what its node has available
// now (exec::memory_available() over the ranks on the node).
std::uint64_t memory_limit(const mpi::Comm& comm, const ReadOptions& options);

// Scratch a rank's decode threads may need for `reads`: a read of part of a stored chunk, or
// of an edge chunk a regular grid stores whole, decodes the whole chunk (or, where the table
// decodes in parts, one part) into per-thread scratch first, so a tiny selection of a
// hostile chunk can need gigabytes. Pure.
std::uint64_t scratch_bytes(const ChunkTable& table, const RankPlan& reads, std::size_t element_size, int threads);
// The same for reads of every chunk of `table` that meets `selection` (a stream's windows).
std::uint64_t scratch_bytes(const ChunkTable& table, const Box& selection, std::size_t element_size, int threads);

// Collective: when some rank would hold more than its limit, every rank throws strata::Error
// (the first such rank's message), naming `what` and the bytes. Nothing is allocated.
void check_memory(const mpi::Comm& comm, std::uint64_t bytes, const ReadOptions& options, const std::string& what);

}  // namespace strata
