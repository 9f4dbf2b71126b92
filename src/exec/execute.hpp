#pragma once
// Runs one rank's part of a plan on the rank's decode threads (exec/parallel_for.hpp, the
// one thread pool): threads take chunk reads in plan order, neighbouring chunks of one file
// as one run fetched with one read (exec/read_runs.hpp), and decode each straight into its
// destination view.
#include <functional>

#include "strata/buffer.hpp"
#include "strata/driver.hpp"
#include "strata/plan.hpp"

namespace strata::exec {

// `destination(read)` gives the view a read decodes into. Uses up to `threads` threads
// (no more than there are reads). The first failure stops the remaining reads and is
// rethrown here, naming the file, the format and the chunk (Driver::read_chunk).
void execute(const Driver& driver, const RankPlan& plan, const std::function<View(const ChunkRead&)>& destination,
             int threads);

}  // namespace strata::exec
