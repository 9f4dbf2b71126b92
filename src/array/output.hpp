#pragma once
// Writing a computed array to a new file: the part every writing path shares (Array::write,
// Expression::write). Picks the format by the output's suffix, checks the codec, and wraps
// the format's collective writer in an atomic PendingOutput.
#include <functional>
#include <string>

#include "mpi/comm.hpp"
#include "strata/array.hpp"

namespace strata {

// What an output of `selection` of a file holds: the file's metadata for the selected part.
ArrayInfo selected_info(const ArrayInfo& file, const Box& selection);

// Collective. `compute` gives this rank's Slab of the array `info` describes (its format
// field is set here) and its read statistics; it runs after the output was prepared, so a
// bad name or codec fails every rank before anything is read.
WriteStats write_output(const mpi::Comm& comm, const std::string& path, const WriteOptions& options, ArrayInfo info,
                        const std::function<Slab(ReadStats*)>& compute);

}  // namespace strata
