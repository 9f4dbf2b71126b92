#pragma once
// Element-wise reductions of arrays of any size across ranks, with an operation given by the
// caller (strata's own kernels: the same code combines threads and ranks, and a NaN in a
// float maximum survives, which MPI_MAX does not promise), and an in-place broadcast.
#include <cstddef>
#include <functional>
#include <span>

#include "mpi/comm.hpp"

namespace strata::mpi {

// in and inout each hold `count` elements; inout[i] = combine(inout[i], in[i]).
using Combine = std::function<void(const std::byte* in, std::byte* inout, std::size_t count)>;

// Collective: combines every rank's `data` (elements of `element_size` bytes) with `combine`,
// which must be associative and commutative. The result replaces `data` on `root`, or on
// every rank when root < 0 (an MPI_Allreduce); elsewhere `data` is left as it was.
void reduce(const Comm& comm, std::span<std::byte> data, std::size_t element_size, const Combine& combine, int root);

// Collective: root's `data` into every rank's `data` (the same size everywhere), in place.
void broadcast(const Comm& comm, std::span<std::byte> data, int root);

}  // namespace strata::mpi
