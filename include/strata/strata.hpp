#pragma once
// Umbrella header: everything an application needs.
#include "strata/array.hpp"
#include "strata/box.hpp"
#include "strata/buffer.hpp"
#include "strata/chunk.hpp"
#include "strata/dims.hpp"
#include "strata/driver.hpp"
#include "strata/dtype.hpp"
#include "strata/error.hpp"
#include "strata/info.hpp"
#include "strata/plan.hpp"
#include "strata/selection.hpp"
#include "strata/version.hpp"
