#pragma once
// Umbrella header: the public API (docs/api.md). The format registry, the planner's layouts
// and the MPI plumbing are internal (src/) and not reachable from here.
#include "strata/array.hpp"
#include "strata/box.hpp"
#include "strata/buffer.hpp"
#include "strata/chunk.hpp"
#include "strata/dims.hpp"
#include "strata/driver.hpp"
#include "strata/dtype.hpp"
#include "strata/error.hpp"
#include "strata/grid.hpp"
#include "strata/info.hpp"
#include "strata/mpi_datatype.hpp"
#include "strata/plan.hpp"
#include "strata/selection.hpp"
#include "strata/slab.hpp"
#include "strata/version.hpp"
