#include "strata/layout.hpp"

#include <algorithm>
#include <numeric>
#include <tuple>

#include "strata/error.hpp"

namespace strata {
namespace {

Box nothing(std::size_t rank) { return Box{std::vector<std::int64_t>(rank, 0), std::vector<std::int64_t>(rank, 0)}; }

// Part `i` of `parts` balanced ranges of [0, n): sizes differ by at most one.
std::pair<std::int64_t, std::int64_t> range(std::int64_t n, std::int64_t parts, std::int64_t i) {
  return {n * i / parts, n * (i + 1) / parts};
}

// The rank count factored over the axes, like MPI_Dims_create (balanced factors), but
// weighted by the extents: each prime factor, largest first, splits the axis whose pieces
// are then the longest.
std::vector<int> default_grid(const Shape& shape, int ranks) {
  std::vector<int> primes;
  for (int n = ranks, p = 2; n > 1;) {
    if (n % p == 0) {
      primes.push_back(p);
      n /= p;
    } else {
      p = p * p > n ? n : p + 1;
    }
  }
  std::vector<int> grid(shape.size(), 1);
  for (auto p = primes.rbegin(); p != primes.rend(); ++p) {
    std::size_t best = 0;
    double longest = -1;
    for (std::size_t i = 0; i < shape.size(); ++i) {
      const double piece = static_cast<double>(shape[i]) / (grid[i] * *p);
      if (piece > longest) longest = piece, best = i;
    }
    if (!shape.empty()) grid[best] *= *p;
  }
  return grid;
}

std::string join(const std::vector<int>& grid) {
  std::string s;
  for (int g : grid) s += (s.empty() ? "" : "x") + std::to_string(g);
  return s;
}

}  // namespace

Layout Layout::root(int rank) {
  Layout l;
  l.kind = Kind::root;
  l.root_rank = rank;
  return l;
}

Layout Layout::slab(int axis) {
  Layout l;
  l.kind = Kind::slab;
  l.axis = axis;
  return l;
}

Layout Layout::blocks(std::vector<int> grid) {
  Layout l;
  l.kind = Kind::blocks;
  l.grid = std::move(grid);
  return l;
}

Layout Layout::boxes(std::vector<Box> per_rank) {
  Layout l;
  l.kind = Kind::boxes;
  l.per_rank = std::move(per_rank);
  return l;
}

Layout Layout::replicated() {
  Layout l;
  l.kind = Kind::replicated;
  return l;
}

std::vector<Box> Layout::boxes_for(const Shape& shape, int ranks) const {
  const std::size_t rank = shape.size();
  const Box whole = Box::whole(shape);
  std::vector<Box> out(static_cast<std::size_t>(ranks), nothing(rank));
  switch (kind) {
    case Kind::root:
      if (root_rank < 0 || root_rank >= ranks)
        throw Error("", "the root rank " + std::to_string(root_rank) + " is not one of the " + std::to_string(ranks) +
                            " ranks");
      out[static_cast<std::size_t>(root_rank)] = whole;
      break;
    case Kind::replicated:
      std::fill(out.begin(), out.end(), whole);
      break;
    case Kind::slab: {
      std::size_t a = 0;
      if (axis < 0) {
        while (a + 1 < rank && shape[a] <= 1) ++a;
      } else {
        a = static_cast<std::size_t>(axis);
      }
      if (rank == 0 || a >= rank)
        throw Error("", "the slab axis " + std::to_string(axis) + " is not one of the array's " +
                            std::to_string(rank) + " axes");
      for (int r = 0; r < ranks; ++r) {
        out[static_cast<std::size_t>(r)] = whole;
        std::tie(out[r].start[a], out[r].stop[a]) = range(shape[a], ranks, r);
      }
      break;
    }
    case Kind::blocks: {
      const std::vector<int> g = grid.empty() ? default_grid(shape, ranks) : grid;
      if (g.size() != rank || std::any_of(g.begin(), g.end(), [](int n) { return n < 1; }))
        throw Error("", "the block grid " + join(g) + " needs one count of at least 1 per axis of the array's " +
                            std::to_string(rank));
      const std::int64_t blocks = std::accumulate(g.begin(), g.end(), std::int64_t{1}, std::multiplies<>());
      if (blocks > ranks)
        throw Error("", "the block grid " + join(g) + " has " + std::to_string(blocks) + " blocks for " +
                            std::to_string(ranks) + " ranks");
      for (std::int64_t b = 0; b < blocks; ++b) {
        Box box = whole;
        std::int64_t left = b;  // C order over the grid: the last axis fastest
        for (std::size_t i = rank; i-- > 0;) {
          std::tie(box.start[i], box.stop[i]) = range(shape[i], g[i], left % g[i]);
          left /= g[i];
        }
        out[static_cast<std::size_t>(b)] = std::move(box);
      }
      break;
    }
    case Kind::boxes:
      if (per_rank.size() != static_cast<std::size_t>(ranks))
        throw Error("", "the layout gives " + std::to_string(per_rank.size()) + " boxes for " +
                            std::to_string(ranks) + " ranks (one per rank)");
      for (int r = 0; r < ranks; ++r) {
        const Box& box = per_rank[static_cast<std::size_t>(r)];
        if (box.empty()) continue;
        if (!whole.contains(box))
          throw Error("", "rank " + std::to_string(r) + "'s box " + box.to_string() + " is not inside the array " +
                              whole.to_string());
        out[static_cast<std::size_t>(r)] = box;
      }
      break;
  }
  return out;
}

std::string Layout::to_string() const {
  switch (kind) {
    case Kind::root: return "root:" + std::to_string(root_rank);
    case Kind::slab: return axis < 0 ? "slab" : "slab:" + std::to_string(axis);
    case Kind::blocks: return grid.empty() ? "blocks" : "blocks:" + join(grid);
    case Kind::boxes: return "boxes";
    case Kind::replicated: return "replicated";
  }
  return "?";
}

}  // namespace strata
