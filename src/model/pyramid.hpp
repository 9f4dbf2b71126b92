#pragma once
// Resolution levels of a written pyramid: level k halves level k-1 in Y and X (rounding the
// size up) and keeps every other axis. A pixel of level k is the mean of the 2×2 block of
// level k-1 pixels it covers (1×2, 2×1 or 1×1 at an odd edge), rounded to nearest, ties to
// even, for integers (NumPy's np.round of the mean); computed in double for floats and
// stored rounded to the type; bool is the rounded mean of 0/1 (a majority, ties false).
#include <cstdint>

#include "strata/box.hpp"
#include "strata/buffer.hpp"

namespace strata {

// The shape of level `level` of an array of `shape` whose trailing `plane_axes` axes are a
// plane (YX or YXS: Y and X are the first two of them).
Shape level_shape(Shape shape, int plane_axes, int level);

// One plane of the next level from one plane of this one: `from` is a C-order YX or YXS
// plane, `to` the plane of level_shape(from, ..., 1). Both contiguous, same dtype.
void downsample_plane(const View& from, const View& to);

}  // namespace strata
